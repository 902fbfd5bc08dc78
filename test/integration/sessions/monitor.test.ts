// The periodic health check (the seed's monitorAllSessions) against real sessions, directly and
// through the production wiring (lib/boot/subscribers.ts: startMonitor → webhook).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runHealthCheck } from '../../../lib/health/monitor';
import { addPhone, testLogger } from '../../support/engine';
import { startEngineHarness } from '../../support/harness';
import { pairPhones } from '../../support/pairing';
import { startWebhookReceiver, type Received } from '../../support/webhook-receiver';
import { resetConfig } from '../../../lib/config';
import { setDb } from '../../../lib/db/client';
import { startSubscribers, stopSubscribers } from '../../../lib/boot/subscribers';
import { getHealthEvents, type HealthEvent } from '../../../lib/health/events';
import { resetObjectiveState } from '../../../lib/health/objective';
import { getMetrics, resetMetrics } from '../../../lib/metrics';

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

test('the monitor run also reports an unresponsive phone, stores uptimes and flags phones below the uptime objective', async (t) => {
  const hook = await startWebhookReceiver();
  t.after(async () => {
    await stopSubscribers();
    await hook.close();
    for (const k of ['ERROR_WEBHOOK_URL', 'HEALTH_CHECK_INTERVAL_MS', 'OUTBOUND_ALLOW_INTERNAL', 'PROBE_INTERVAL_MS', 'PROBE_TIMEOUT_MS', 'UPTIME_OBJECTIVE']) delete process.env[k];
    resetConfig();
    resetObjectiveState();
  });
  const { sim, tdb, manager } = await startEngineHarness(t, { settings: { probe: { failures: 2, restart: false } } });
  t.after(() => setDb(undefined));
  Object.assign(process.env, {
    ERROR_WEBHOOK_URL: hook.url,
    HEALTH_CHECK_INTERVAL_MS: '1000',
    OUTBOUND_ALLOW_INTERNAL: '127.0.0.0/8,::1',
    LOG_LEVEL: 'silent',
    PROBE_INTERVAL_MS: '200',
    PROBE_TIMEOUT_MS: '150',
    UPTIME_OBJECTIVE: '99.5',
  });
  resetConfig();
  resetObjectiveState();
  resetMetrics(); // the registry reads the manager it was made with: this test's
  await setDb(tdb.db);
  const health: HealthEvent[] = [];
  t.after(getHealthEvents().subscribe((e) => health.push(e)));
  const pairedAt = Date.now();
  const [a, b, c] = await pairPhones(tdb.db, manager, sim, ['77084000021@s.whatsapp.net', '77084000022@s.whatsapp.net', '77084000023@s.whatsapp.net']);
  await manager.settled();
  // A day of history before the pairing: a and c were open all day; b was open 2 h, then closed 22 h.
  const h = 3600_000;
  const past = (phoneId: number, state: string, from: number, to: number) =>
    tdb.db.phoneStateInterval.create({ data: { phoneId, state, prev: null, startedAt: new Date(from), endedAt: new Date(to) } });
  await past(a.id, 'open', pairedAt - 24 * h, pairedAt - 1000);
  await past(c.id, 'open', pairedAt - 24 * h, pairedAt - 1000);
  await past(b.id, 'open', pairedAt - 24 * h, pairedAt - 22 * h);
  await past(b.id, 'closed', pairedAt - 22 * h, pairedAt - 1000);
  startSubscribers(manager);

  await sim.inject(c.phoneJid, { type: 'freeze' });
  const isReport = (r: Received) => r.json.type === 'session_health_report';
  const report = await hook.waitFor((r) => isReport(r) && (r.json.warnings as { phoneId: number }[]).some((w) => w.phoneId === c.id), 60_000);
  const warnings = report.json.warnings as { phoneId: number; status: string; problem: string; isConnected: boolean }[];
  assert.deepEqual(warnings.map((w) => [w.phoneId, w.status, w.isConnected, w.problem]), [[c.id, 'warning', true, 'unresponsive: the liveness probe got no answer']]);
  assert.equal(report.json.checked, 3);

  // The same run's objective check: uptimes stored on the rows, b flagged below 99.5 %, a and c not.
  await new Promise<void>((resolve) => {
    const check = () => (health.some((e) => e.type === 'below-objective') ? resolve() : setTimeout(check, 50));
    check();
  });
  const below = health.filter((e) => e.type === 'below-objective');
  assert.deepEqual(below.map((e) => e.phoneId), [b.id]);
  const rows = await tdb.db.organizationPhone.findMany({ where: { id: { in: [a.id, b.id, c.id] } }, orderBy: { id: 'asc' }, select: { id: true, uptime7d: true } });
  assert.ok(rows[0].uptime7d! > 0.995, `a: ${rows[0].uptime7d}`);
  assert.ok(Math.abs(rows[1].uptime7d! - 2 / 24) < 0.01, `b: ${rows[1].uptime7d}`);
  assert.ok(rows[2].uptime7d! > 0.995, `c: ${rows[2].uptime7d}`);
  const e = below[0];
  assert.equal(e.type === 'below-objective' && e.objective, 0.995);
  // The metrics say so too.
  const text = await getMetrics(manager).registry.metrics();
  assert.match(text, /wa_phones_below_uptime_objective 1/);
  assert.match(text, new RegExp(`wa_session_unresponsive\\{phone_id="${c.id}",phone_jid="${c.phoneJid}"\\} 1`));
});
