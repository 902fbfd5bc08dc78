// The periodic health check (the seed's monitorAllSessions) against real sessions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runHealthCheck } from '../../../lib/monitor';
import { addPhone, testLogger } from '../../support/engine';
import { startEngineHarness } from '../../support/harness';
import { pairPhones } from '../../support/pairing';

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
  await rec.waitFor((e) => e.type === 'decrypt-failure' && e.phoneId === b.id && e.count === 2, 20_000, mark);
  ({ phones, report } = await runHealthCheck(tdb.db, manager, testLogger()));
  const warned = phones.find((p) => p.phoneId === b.id)!;
  assert.equal(warned.status, 'warning');
  assert.equal(warned.badMacErrors, 2);
  assert.equal(warned.isHealthy, true, "the seed's isHealthy stays true at 2/3");
  assert.deepEqual(report.warnings.map((w) => w.phoneId).sort(), [b.id, ghost.id].sort());
  assert.equal(report.type, 'session_health_report');
});
