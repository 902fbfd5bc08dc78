// A webhook receiver that hangs, answers 500 or refuses connections never slows or breaks the
// session engine: faults keep being counted, the session auto-closes on time, and every failed
// attempt is recorded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { startSimulator } from '../../../simulator';
import { createTestDatabase } from '../../support/databases';
import { SessionManager } from '../../../lib/sessions/manager';
import { WebhookNotifier } from '../../../lib/notify/webhooks';
import { eventRecorder, testLogger, testSettings } from '../../support/engine';
import { pairPhones } from '../../support/pairing';

async function receiver(kind: 'hang' | '500' | 'refuse'): Promise<{ url: string; close(): Promise<void> }> {
  if (kind === 'refuse') {
    // A port that was free a moment ago: nothing listens there.
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    return { url: `http://127.0.0.1:${port}/hook`, close: async () => {} };
  }
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    if (kind === '500') res.writeHead(500).end('broken');
    // 'hang': never answer
  });
  server.on('connection', (s) => sockets.add(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

for (const kind of ['hang', '500', 'refuse'] as const) {
  test(`webhook receiver that ${kind === 'hang' ? 'hangs' : kind === '500' ? 'answers 500' : 'refuses connections'}: the engine keeps working`, async (t) => {
    const sim = await startSimulator({ port: 0 });
    const tdb = await createTestDatabase('sqlite');
    const hook = await receiver(kind);
    const manager = new SessionManager(tdb.db, testSettings(sim.url), testLogger());
    const notifier = new WebhookNotifier({ url: hook.url, timeoutMs: 300, attempts: 2, baseDelayMs: 20 }, tdb.db, testLogger());
    manager.subscribe((e) => notifier.onEngineEvent(e));
    const rec = eventRecorder(manager);
    t.after(async () => {
      await manager.shutdown();
      await notifier.idle();
      await hook.close();
      await sim.close();
      await tdb.drop();
    });
    const jid = `77083${kind === 'hang' ? 1 : kind === '500' ? 2 : 3}000001@s.whatsapp.net`;
    const [phone] = await pairPhones(tdb.db, manager, sim, [jid]);
    const started = Date.now();
    await sim.inject(jid, { type: 'bad-mac', count: 3 });
    await rec.waitFor((e) => e.type === 'auto-closed' && e.phoneId === phone.id);
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 5000, `auto-close took ${elapsed} ms despite the receiver`);
    // The session can be started again while deliveries are still failing.
    const mark = rec.mark();
    await manager.start(phone.id);
    await rec.waitFor((e) => e.type === 'state' && e.phoneId === phone.id && e.state === 'open', 20_000, mark);
    await notifier.idle();
    const attempts = await tdb.db.webhookDelivery.findMany();
    // Warnings at counts 2 and 3, and the auto-close notice: 3 deliveries × 2 attempts, all failed.
    assert.equal(attempts.length, 6);
    assert.ok(attempts.every((a) => !a.ok && a.error));
    assert.equal(notifier.failures, 6);
  });
}
