// The session event stream over HTTP against `next start` and the simulator: pairing secrets (qr,
// pairing-code) reach only callers that may pair, and an open stream ends within seconds of its
// credential being revoked (token revoked, user signed out, demoted or deleted).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startSimulator, type Simulator } from '../../../simulator';
import { startConsole, type ConsoleServer } from '../../support/console-server';
import { testProviders } from '../../support/databases';
import { recordStream, signOut, type RecordedStream } from '../../support/auth-sessions';
import { createToken } from '../../../lib/auth/tokens';
import { createUser, deleteUser, setUserRole } from '../../../lib/auth/users';

/** Generous for a loaded machine; the recheck runs every 2 s by default. */
const END_DEADLINE_MS = 30_000;

for (const provider of testProviders()) {
  test(`${provider}: event streams respect who may see what, and end with their credential`, async (t) => {
    const sim: Simulator = await startSimulator({ port: 0 });
    const server: ConsoleServer = await startConsole({ provider, env: { WA_WEBSOCKET_URL: sim.url, RECONNECT_BASE_MS: '200', SSE_HEARTBEAT_MS: '1000' } });
    const streams: RecordedStream[] = [];
    t.after(async () => {
      for (const s of streams) s.close();
      await server.stop();
      await sim.close();
    });
    const { url, db } = server;
    const admin = { authorization: `Bearer ${await server.createToken('admin')}` };
    const read = await createToken(db, { name: 'reader', scopes: ['read'] });
    const user = async (role: 'admin' | 'viewer') => {
      const email = `${role}-${crypto.randomBytes(3).toString('hex')}@test.local`;
      const password = crypto.randomBytes(9).toString('base64url');
      const u = await createUser(db, { email, password, role }, 4);
      return { id: u.id, cookie: await server.login(email, password) };
    };
    const viewer = await user('viewer');
    const demoted = await user('admin');
    const deleted = await user('admin');
    const open = async (headers: Record<string, string>) => {
      const s = await recordStream(url, headers);
      streams.push(s);
      await s.waitFor((e) => e === 'hello');
      return s;
    };
    const adminStream = await open(admin);
    const readStream = await open({ authorization: `Bearer ${read.token}` });
    const viewerStream = await open({ cookie: viewer.cookie });
    const demotedStream = await open({ cookie: demoted.cookie });
    const deletedStream = await open({ cookie: deleted.cookie });

    const jid = provider === 'sqlite' ? '77051239001@s.whatsapp.net' : '77051239002@s.whatsapp.net';
    let id = 0;

    await t.test('a phone pairs: admins see the QR, a read token and a viewer see only states', async () => {
      const res = await fetch(`${url}/api/sessions`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, body: JSON.stringify({ organizationName: 'Acme', phone: '+' + jid.split('@')[0] }) });
      assert.equal(res.status, 201);
      id = ((await res.json()) as { id: number }).id;
      const qr = await adminStream.waitFor((e, d) => e === 'qr' && d.phoneId === id);
      assert.equal(typeof qr.data.qr, 'string');
      await demotedStream.waitFor((e, d) => e === 'qr' && d.phoneId === id); // an admin by cookie, for now
      const readQr = await fetch(`${url}/api/sessions/${id}/qr`, { headers: { authorization: `Bearer ${read.token}` } });
      assert.equal(readQr.status, 403, 'a read token may not fetch the QR either');
      assert.equal((await fetch(`${url}/api/sessions/${id}/qr`, { headers: admin })).status, 200);
      await sim.scan(jid, String(qr.data.qr));
      for (const s of [readStream, viewerStream, adminStream]) await s.waitFor((e, d) => e === 'state' && d.phoneId === id && d.state === 'open');
      for (const [name, s] of [['read token', readStream], ['viewer', viewerStream]] as const) {
        assert.ok(s.events.some((e) => e.event === 'state' && e.data.phoneId === id && e.data.state === 'qr'), `${name} saw the pairing state`);
        assert.deepEqual(s.events.filter((e) => e.event === 'qr' || e.event === 'pairing-code'), [], `${name} got no pairing secret`);
      }
    });

    await t.test('a stream resumed with Last-Event-ID replays what it missed, pairing secrets still only for admins', async () => {
      const helloId = adminStream.events.find((e) => e.event === 'hello')?.id;
      assert.ok(helloId, 'the hello event has an id');
      const resumed = async (headers: Record<string, string>) => {
        const s = await recordStream(url, { ...headers, 'last-event-id': helloId });
        streams.push(s);
        await s.waitFor((e, d) => e === 'state' && d.phoneId === id && d.state === 'open');
        s.close();
        return s;
      };
      const asAdmin = await resumed(admin);
      const asReader = await resumed({ authorization: `Bearer ${read.token}` });
      for (const s of [asAdmin, asReader]) assert.equal(s.events.some((e) => e.event === 'hello' || e.event === 'reset'), false, 'a resume, not a new snapshot');
      assert.ok(asAdmin.events.some((e) => e.event === 'qr' && e.data.phoneId === id), 'the admin gets the missed QR');
      assert.ok(asReader.events.some((e) => e.event === 'state' && e.data.phoneId === id && e.data.state === 'qr'), 'the reader gets the missed states');
      assert.deepEqual(asReader.events.filter((e) => e.event === 'qr' || e.event === 'pairing-code'), [], 'but no pairing secret');
    });

    const assertEndsAfter = async (s: RecordedStream, what: string, revoke: () => Promise<unknown>) => {
      assert.equal(s.isEnded(), false, `open before ${what}`);
      const at = Date.now();
      await revoke();
      const deadline = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`stream still open ${END_DEADLINE_MS} ms after ${what}`)), END_DEADLINE_MS).unref());
      const endedAt = await Promise.race([s.ended, deadline]);
      t.diagnostic(`${provider}: stream ended ${endedAt - at} ms after ${what}`);
    };

    await t.test('revoking the token ends its stream', async () => {
      await assertEndsAfter(readStream, 'token revocation', async () => {
        const res = await fetch(`${url}/api/tokens/${read.info.id}`, { method: 'DELETE', headers: admin });
        assert.equal(res.status, 200);
      });
    });

    await t.test("signing out ends the user's stream", async () => {
      await assertEndsAfter(viewerStream, 'sign-out', () => signOut(url, viewer.cookie));
    });

    await t.test("demotion ends the user's stream", async () => {
      await assertEndsAfter(demotedStream, 'demotion', () => setUserRole(db, demoted.id, 'viewer'));
    });

    await t.test("deleting the user ends the user's stream", async () => {
      await assertEndsAfter(deletedStream, 'deletion', () => deleteUser(db, deleted.id));
    });

    await t.test('a stream whose credential stands stays open', async () => {
      assert.equal(adminStream.isEnded(), false);
      // It still delivers: a restart of the phone shows up on it.
      const before = adminStream.events.length;
      const res = await fetch(`${url}/api/sessions/${id}/restart`, { method: 'POST', headers: admin });
      assert.equal(res.status, 200);
      await adminStream.waitFor((e, d) => e === 'state' && d.phoneId === id, 60_000, before);
      assert.equal(adminStream.isEnded(), false);
    });
  });
}
