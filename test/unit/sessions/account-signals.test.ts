// Baileys 7's account signals → health (lib/sessions/account-signals.ts, lib/health/level.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applySignal, cappingSignal, noSignals, reachoutSignal, signalHealth } from '../../../lib/sessions/account-signals';
import { healthOf } from '../../../lib/health/level';

const stats = (badMacErrors = 0) => ({ badMacErrors, badDecryptErrors: 0, maxBadMacErrors: 3, maxBadDecryptErrors: 5, isHealthy: true });

test("parse: Baileys 7's reachoutTimeLock and NewChatMessageCapInfo; anything else is no signal", () => {
  const until = new Date('2030-01-01T00:00:00Z');
  assert.deepEqual(reachoutSignal({ isActive: true, timeEnforcementEnds: until, enforcementType: 'BIZ_QUALITY' }), { kind: 'reachout-timelock', active: true, until: until.toISOString(), enforcementType: 'BIZ_QUALITY' });
  assert.deepEqual(reachoutSignal({ isActive: false, enforcementType: 'DEFAULT' }), { kind: 'reachout-timelock', active: false, until: null, enforcementType: 'DEFAULT' });
  assert.equal(reachoutSignal(undefined), null);
  assert.equal(reachoutSignal({ connection: 'open' }), null);
  assert.deepEqual(cappingSignal({ capping_status: 'CAPPED', total_quota: 50, used_quota: '50', cycle_end_timestamp: '1893456000' }), { kind: 'message-capping', status: 'CAPPED', usedQuota: 50, totalQuota: 50, cycleEndsAt: '2030-01-01T00:00:00.000Z' });
  assert.equal(cappingSignal({ capping_status: 'SOMETHING_NEW' }), null);
  assert.equal(cappingSignal({ total_quota: 5 }), null);
});

test('health: a lock in force and a cap are critical, a warning degraded; an ended lock counts no more; worst first', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');
  let s = noSignals();
  assert.equal(signalHealth(s, now), null);
  s = applySignal(s, cappingSignal({ capping_status: 'SECOND_WARNING' })!);
  assert.deepEqual(signalHealth(s, now), { health: 'degraded', healthReason: 'capping-warning' });
  s = applySignal(s, reachoutSignal({ isActive: true, timeEnforcementEnds: new Date(now + 60_000) })!);
  assert.deepEqual(signalHealth(s, now), { health: 'critical', healthReason: 'reachout-locked' });
  assert.deepEqual(signalHealth(s, now + 60_000), { health: 'degraded', healthReason: 'capping-warning' }, 'the lock ended');
  s = applySignal(s, cappingSignal({ capping_status: 'NONE' })!);
  s = applySignal(s, reachoutSignal({ isActive: false })!);
  assert.equal(signalHealth(s, now), null);
});

test('healthOf: a signal counts when worse than the decryption counters; stopped and unresponsive phones are judged as before', () => {
  const warning = { health: 'degraded', healthReason: 'capping-warning' } as const;
  const capped = { health: 'critical', healthReason: 'message-capped' } as const;
  assert.deepEqual(healthOf(stats(), true, false, null, warning), warning);
  assert.deepEqual(healthOf(stats(1), true, false, null, warning), { health: 'degraded', healthReason: 'decrypt-errors' }, 'equal: the counters are named');
  assert.deepEqual(healthOf(stats(1), true, false, null, capped), capped);
  assert.deepEqual(healthOf(stats(2), true, false, null, warning), { health: 'critical', healthReason: 'decrypt-errors' });
  assert.deepEqual(healthOf(stats(), true, true, null, capped), { health: 'critical', healthReason: 'unresponsive' });
  assert.deepEqual(healthOf(stats(), false, false, null, capped), { health: 'closed', healthReason: 'not-running' });
  assert.deepEqual(healthOf(stats(), true, false, null, null), { health: 'healthy', healthReason: null });
});
