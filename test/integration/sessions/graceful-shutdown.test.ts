// SIGTERM to `next start`: every session closes its WebSocket properly (no logout) before the
// process exits, and the phones log in again at the next start without a QR.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator } from '../../../simulator';
import { startConsole } from '../../support/console-server';
import { sseUntil } from '../../support/sse';

test('SIGTERM closes every session cleanly before the console exits', async (t) => {
  const sim = await startSimulator({ port: 0 });
  t.after(() => sim.close());
  const server = await startConsole({ provider: 'sqlite', env: { WA_WEBSOCKET_URL: sim.url, LOG_LEVEL: 'info' } });
  t.after(() => server.stop());
  const auth = { authorization: `Bearer ${await server.createToken('admin')}`, 'content-type': 'application/json' };
  const jids = ['77051239001@s.whatsapp.net', '77051239002@s.whatsapp.net'];
  for (const jid of jids) {
    let id = 0;
    await sseUntil(`${server.url}/api/sessions/stream`, auth, (ev, data) => ev === 'qr' && data.phoneId === id, 15_000, async () => {
      const res = await fetch(`${server.url}/api/sessions`, { method: 'POST', headers: auth, body: JSON.stringify({ organizationName: 'Shutdown', phone: jid.split('@')[0] }) });
      id = (await res.json()).id;
    });
    const { qr } = await (await fetch(`${server.url}/api/sessions/${id}/qr`, { headers: auth })).json();
    await sseUntil(`${server.url}/api/sessions/stream`, auth, (ev, data) => ev === 'state' && data.phoneId === id && data.state === 'open', 20_000, async () => {
      await sim.scan(jid, qr);
    });
  }
  const since = sim.events().at(-1)?.seq ?? 0;
  await server.stop(); // SIGTERM, then waits for the exit
  const closes = sim.events(since).filter((e) => e.type === 'close' && jids.includes(e.phoneJid ?? ''));
  t.diagnostic(`closes after SIGTERM: ${JSON.stringify(closes.map((c) => [c.phoneJid, c.detail]))}`);
  for (const jid of jids) assert.ok(closes.some((c) => c.phoneJid === jid), `${jid} closed its connection`);
  for (const close of closes) assert.notEqual((close.detail as { code: number | null }).code, 1006, `${close.phoneJid} closed properly, not by the process dying`);
  const afterSignal = server.output().split('shutting down: closing sessions')[1] ?? '';
  assert.equal(afterSignal.match(/"msg":"WebSocket closed"/g)?.length, jids.length, 'each session finished closing before the exit');
  assert.deepEqual(sim.events(since).filter((e) => e.type === 'logged-out'), [], 'no logout');
  assert.ok(sim.phones().filter((p) => jids.includes(p.phoneJid)).every((p) => p.connections === 0));
});
