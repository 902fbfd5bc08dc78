// The periodic health check (the seed's monitorAllSessions) against real sessions, directly and
// through the production wiring (lib/subscribers.ts: startMonitor → webhook).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runHealthCheck } from '../../../lib/monitor';
import { addPhone, testLogger } from '../../support/engine';
import { startEngineHarness } from '../../support/harness';
import { pairPhones } from '../../support/pairing';
import { startWebhookReceiver, type Received } from '../../support/webhook-receiver';
import { resetConfig } from '../../../lib/config';
import { setDb } from '../../../lib/db/client';
import { startSubscribers, stopSubscribers } from '../../../lib/subscribers';

test('health check: healthy, warning at max - 1, and connected-in-the-database-only phones', async (t) => {
  const { sim, tdb, manager, rec } = await startEngineHarness(t);
  const [a, b] = await pairPhones(tdb.db, manager, sim, ['77084000001@s.whatsapp.net', '77084000002@s.whatsapp.net']);
  // A phone the database calls connected, with no session in this process.
  const ghost = await addPhone(tdb.db, '77084000003@s.whatsapp.net');
  await tdb.db.organizationPhone.update({ where: { id: ghost.id }, data: { status: 'open' } });
  await manager.settled();

  let { phones, report } = await runHealthCheck(tdb.db, manager, testLogger());
  assert.deepEqual(phones.map((p) => [p.phoneId, p.status, p.isConnected]), [[a.id, 'healthy', true], [b.id, 'healthy', true], [ghost.id, 'warning', false]]);
  assert.match(report.warnings[0].problem ?? '', /no live socket/);

  const mark = rec.mark();
  await sim.inject(b.phoneJid, { type: 'bad-mac', count: 2 });
  await rec.waitFor((e) => e.type === 'decrypt-failure' && e.phoneId === b.id && e.count === 2, 60_000, mark);
  ({ phones, report } = await runHealthCheck(tdb.db, manager, testLogger()));
  const warned = phones.find((p) => p.phoneId === b.id)!;
  assert.equal(warned.status, 'warning');
  assert.equal(warned.badMacErrors, 2);
  assert.equal(warned.isHealthy, true, "the seed's isHealthy stays true at 2/3");
  assert.deepEqual(report.warnings.map((w) => w.phoneId).sort(), [b.id, ghost.id].sort());
  assert.equal(report.type, 'session_health_report');
});

test('the monitor runs on its schedule through the production wiring and reports unhealthy phones by webhook', async (t) => {
  const hook = await startWebhookReceiver();
  // Registered before the harness, so it runs first: the monitor stops before the manager and database go.
  t.after(async () => {
    await stopSubscribers();
    await hook.close();
    delete process.env.ERROR_WEBHOOK_URL;
    delete process.env.HEALTH_CHECK_INTERVAL_MS;
    delete process.env.OUTBOUND_ALLOW_INTERNAL;
    resetConfig();
  });
  const { sim, tdb, manager, rec } = await startEngineHarness(t);
  t.after(() => setDb(undefined));
  process.env.ERROR_WEBHOOK_URL = hook.url;
  process.env.HEALTH_CHECK_INTERVAL_MS = '1000';
  process.env.OUTBOUND_ALLOW_INTERNAL = '127.0.0.0/8,::1'; // the receiver listens on loopback
  process.env.LOG_LEVEL = 'silent';
  resetConfig();
  await setDb(tdb.db);
  const [a, b] = await pairPhones(tdb.db, manager, sim, ['77084000011@s.whatsapp.net', '77084000012@s.whatsapp.net']);
  await manager.settled();
  startSubscribers(manager);

  const mark = rec.mark();
  const faultAt = Date.now();
  await sim.inject(b.phoneJid, { type: 'bad-mac', count: 2 });
  await rec.waitFor((e) => e.type === 'decrypt-failure' && e.phoneId === b.id && e.count === 2, 60_000, mark);
  const isReport = (r: Received) => r.json.type === 'session_health_report';
  const first = await hook.waitFor(isReport, 60_000);
  // Phones were all healthy before the fault, so no report went out before it.
  assert.ok(Date.parse(String(first.json.timestamp)) >= faultAt, 'the first report came after the fault');
  assert.equal(first.json.checked, 2);
  const warnings = first.json.warnings as Record<string, unknown>[];
  assert.deepEqual(warnings, [
    {
      phoneId: b.id,
      phoneJid: b.phoneJid,
      isConnected: true,
      badMacErrors: 2,
      badDecryptErrors: 0,
      maxBadMacErrors: 3,
      maxBadDecryptErrors: 5,
      isHealthy: true,
      status: 'warning',
      problem: 'Bad MAC 2/3, Bad Decrypt 0/5',
    },
  ]);
  assert.ok(!warnings.some((w) => w.phoneId === a.id), 'the healthy phone is not reported');
  assert.equal(first.headers['x-webhook-event'], 'session_health_report');
  // The schedule: it reports again one interval later, while the phone stays unhealthy.
  const second = await hook.waitFor((r) => isReport(r) && r !== first, 60_000);
  const gap = Date.parse(String(second.json.timestamp)) - Date.parse(String(first.json.timestamp));
  assert.ok(gap >= 900, `reports ${gap} ms apart with a 1000 ms interval`);
  assert.deepEqual((second.json.warnings as { phoneId: number }[]).map((w) => w.phoneId), [b.id]);
});
