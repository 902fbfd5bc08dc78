// WhatsApp's ban and restriction closes (issue 25.5), on both engines with real Baileys against the
// simulator, through the real console over HTTP (SQLite): 403 (a locked account), 406 (a permanent
// ban) and 463 (a restriction), sent as `<stream:error code=…>`, close the phone with the code each
// engine's pure mapping gives (banned / restricted), send `session_closed` with it, leave it in the
// API's `lastClose` (with WhatsApp's status) and critical, and the phone never reconnects by itself:
// a control phone dropped afterwards, twice, reconnects (the same console, the same backoff) while
// none of the closed ones logs in again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startSimulator, type Simulator } from '../../../simulator';
import { startConsole, type ConsoleServer } from '../../support/console-server';
import { startWebhookReceiver } from '../../support/webhook-receiver';
import { eventually } from '../../support/eventually';
import type { Json } from '../../support/sse';
import { ENGINES, ENGINE_NAMES, type EngineName, type WaVersion } from '../../../lib/sessions/engines';

const CODES = [403, 406, 463] as const;
const EXPECTED = { 403: 'banned', 406: 'banned', 463: 'restricted' } as const;

test('403, 406 and 463 close as banned / restricted on both engines, in lastClose and session_closed, and never reconnect', async (t) => {
  const parts: { server?: ConsoleServer; sim?: Simulator; hook?: Awaited<ReturnType<typeof startWebhookReceiver>> } = {};
  t.after(async () => {
    await parts.server?.stop();
    await parts.sim?.close();
    await parts.hook?.close();
  });
  const sim: Simulator = (parts.sim = await startSimulator({ port: 0 }));
  const hook = (parts.hook = await startWebhookReceiver());
  const server: ConsoleServer = (parts.server = await startConsole({
    provider: 'sqlite',
    env: {
      WA_WEBSOCKET_URL: sim.url, ERROR_WEBHOOK_URL: hook.url, ERROR_WEBHOOK_SECRET: crypto.randomBytes(8).toString('hex'),
      WEBHOOK_RETRY_BASE_MS: '50', RECONNECT_BASE_MS: '200', NODE_ID: `it_${crypto.randomBytes(4).toString('hex')}`,
    },
  }));
  const auth = { authorization: `Bearer ${await server.createToken('admin')}` };
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(server.url + path, { method, headers: { 'content-type': 'application/json', ...auth }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Json };
  };
  const until = async (what: string, id: number, pred: (b: Json) => boolean) => {
    let last: Json = {};
    await eventually(what, async () => pred((last = (await call('GET', `/api/sessions/${id}`)).body)), 60_000, 100).catch((err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(last)}`);
    });
    return last;
  };
  const logins = (jid: string, since: number) => sim.events(since).filter((e) => e.type === 'login' && e.phoneJid === jid).length;

  let n = 0;
  /** Adds a phone on `engine` through the API, pairs it by its QR at the simulator, waits until open. */
  async function pairedPhone(engine: EngineName) {
    const jid = `7707463${String(++n).padStart(4, '0')}@s.whatsapp.net`;
    const added = await call('POST', '/api/sessions', { organizationName: 'Close codes', phone: jid.split('@')[0], engine });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    const id = Number(added.body.id);
    await until(`a QR for ${jid}`, id, (b) => b.status === 'qr');
    await sim.scan(jid, String((await call('GET', `/api/sessions/${id}/qr`)).body.qr));
    const open = await until(`${jid} open`, id, (b) => b.status === 'open');
    assert.equal(open.engine, engine);
    return { id, jid };
  }

  const closed: { id: number; jid: string; engine: EngineName; status: (typeof CODES)[number]; since: number }[] = [];
  for (const engine of ENGINE_NAMES) {
    for (const status of CODES) {
      // The pure mapping says what the close is; it must be the catalogue's ban or restriction.
      const expected = ENGINES[engine].closeReason(status, 'Stream Errored (unknown)', [2, 3000, 1] as WaVersion).code;
      assert.equal(expected, EXPECTED[status], `${engine} maps ${status}`);

      const { id, jid } = await pairedPhone(engine);
      const since = sim.events().at(-1)?.seq ?? 0;
      const hooksBefore = hook.received.length;
      await sim.inject(jid, { type: 'stream-error', code: status });
      const notice = await hook.waitFor((r) => hook.received.indexOf(r) >= hooksBefore && r.json.type === 'session_closed' && r.json.phoneId === id);
      assert.equal(notice.json.code, expected, `${engine} ${status}: session_closed`);
      assert.equal(((notice.json.closeReason as Json).params as Json).status, status);

      const body = await until(`${engine} ${status}: closed`, id, (b) => b.status === 'closed');
      const lastClose = body.lastClose as Json;
      assert.equal(lastClose.code, expected, `${engine} ${status}: lastClose`);
      assert.equal((lastClose.params as Json).status, status, 'WhatsApp\'s status code is kept beside the catalogue code');
      assert.deepEqual([body.health, body.healthReason], ['critical', expected]);
      closed.push({ id, jid, engine, status, since });
    }
  }

  // A reconnect, had one been decided, would come RECONNECT_BASE_MS (200 ms; attempt 1 has no
  // jitter above its base) after its close. A control phone on each engine, dropped after every
  // close above, reconnects with that same delay: once each has done so twice, any reconnect of the
  // closed phones would have been logged in at the simulator.
  for (const engine of ENGINE_NAMES) {
    const control = await pairedPhone(engine);
    for (let i = 0; i < 2; i++) {
      const since = sim.events().at(-1)?.seq ?? 0;
      await sim.inject(control.jid, { type: 'drop' });
      await eventually(`the ${engine} control phone logged in again`, () => logins(control.jid, since) > 0);
      await until(`the ${engine} control phone open again`, control.id, (b) => b.status === 'open');
    }
  }
  for (const c of closed) {
    assert.equal(logins(c.jid, c.since), 0, `${c.engine} ${c.status}: no login after the close`);
    const body = (await call('GET', `/api/sessions/${c.id}`)).body;
    assert.equal(body.status, 'closed', `${c.engine} ${c.status}: still closed`);
    assert.equal((body.lastClose as Json).code, EXPECTED[c.status]);
    assert.equal(sim.phones().find((p) => p.phoneJid === c.jid)?.connections ?? 0, 0, `${c.engine} ${c.status}: no connection at the simulator`);
  }
});
