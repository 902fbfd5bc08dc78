// SIGTERM to `next start`: every session closes its WebSocket properly (no logout) before the
// process exits by itself, and at the next start the phones log in again without a QR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator } from '../../../simulator';
import { startConsole } from '../../support/console-server';
import { sseUntil } from '../../support/sse';

test('SIGTERM closes every session cleanly; the restarted console logs them in again without a QR', async (t) => {
  const sim = await startSimulator({ port: 0 });
  t.after(() => sim.close());
  const server = await startConsole({ provider: 'sqlite', env: { WA_WEBSOCKET_URL: sim.url, LOG_LEVEL: 'info' } });
  t.after(() => server.stop());
  const auth = { authorization: `Bearer ${await server.createToken('admin')}`, 'content-type': 'application/json' };
  const jids = ['77051239001@s.whatsapp.net', '77051239002@s.whatsapp.net'];
  const ids: number[] = [];
  for (const jid of jids) {
    let id = 0;
    await sseUntil(`${server.url}/api/sessions/stream`, auth, (ev, data) => ev === 'qr' && data.phoneId === id, 60_000, async () => {
      const res = await fetch(`${server.url}/api/sessions`, { method: 'POST', headers: auth, body: JSON.stringify({ organizationName: 'Shutdown', phone: jid.split('@')[0] }) });
      id = (await res.json()).id;
    });
    const { qr } = await (await fetch(`${server.url}/api/sessions/${id}/qr`, { headers: auth })).json();
    await sseUntil(`${server.url}/api/sessions/stream`, auth, (ev, data) => ev === 'state' && data.phoneId === id && data.state === 'open', 60_000, async () => {
      await sim.scan(jid, qr);
    });
    ids.push(id);
  }
  const registrations = () => sim.events().filter((e) => e.type === 'registration').length;
  const registrationsBefore = registrations();

  // SIGTERM: the console closes each session and exits by itself (the harness waits 30 s,
  // beyond the product's own 15 s deadline, before it would kill it).
  const since = sim.events().at(-1)?.seq ?? 0;
  const stoppedAt = Date.now();
  const outputBefore = server.output().length;
  await server.restart(); // SIGTERM, wait for the exit, start again on the same database
  const afterSignal = server.output().slice(outputBefore);
  assert.deepEqual(server.lastExit(), { code: 0, signal: null }, 'the console exited by itself, with code 0');
  const stopped = afterSignal.split('shutting down: closing sessions')[1]?.split('Ready in')[0] ?? '';
  assert.equal(stopped.match(/"msg":"WebSocket closed"/g)?.length, jids.length, 'each session finished closing before the exit');
  const closes = sim.events(since).filter((e) => e.type === 'close' && jids.includes(e.phoneJid ?? '') && Date.parse(e.at) >= stoppedAt);
  t.diagnostic(`closes after SIGTERM: ${JSON.stringify(closes.map((c) => [c.phoneJid, c.detail]))}`);
  for (const jid of jids) assert.ok(closes.some((c) => c.phoneJid === jid), `${jid} closed its connection`);
  for (const close of closes) assert.notEqual((close.detail as { code: number | null }).code, 1006, `${close.phoneJid} closed properly, not by the process dying`);
  assert.deepEqual(sim.events(since).filter((e) => e.type === 'logout' || e.type === 'logged-out'), [], 'no logout');

  // The second life: boot starts both phones, which log in with their stored credentials.
  for (const [i, id] of ids.entries()) {
    await sseUntil(`${server.url}/api/sessions/stream`, auth, (ev, data) => ev === 'state' && data.phoneId === id && data.state === 'open', 60_000, async () => {
      const row = await (await fetch(`${server.url}/api/sessions/${id}`, { headers: auth })).json();
      return row.status === 'open';
    });
    assert.ok(sim.events(since).some((e) => e.type === 'login' && e.phoneJid === jids[i]), `${jids[i]} logged in again`);
  }
  assert.equal(registrations(), registrationsBefore, 'no new registration: no QR was needed');
  for (const id of ids) {
    const qr = await fetch(`${server.url}/api/sessions/${id}/qr`, { headers: auth });
    assert.equal(qr.status, 409, 'no QR for a phone that is linked');
  }
  for (const jid of jids) assert.equal(sim.phones().find((p) => p.phoneJid === jid)?.connections, 1, `${jid}: one connection`);
});
