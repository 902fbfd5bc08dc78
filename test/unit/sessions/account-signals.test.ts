// Baileys 7's account signals → health (lib/sessions/account-signals.ts, lib/health/level.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applySignal, cappingSignal, inForce, loadSignals, msUntilSignalsChange, noSignals, reachoutSignal, signalHealth, storedSignals } from '../../../lib/sessions/account-signals';
import { Outbox, type OutboxWrite } from '../../../lib/sessions/store/outbox';
import { DIALECTS, SqlBuilder } from '../../../lib/sessions/store/sql';
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

test('the clock: a capping whose cycle has ended counts no more; the next change by the clock alone is the earliest end still ahead', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');
  const cycleEnd = String(Math.floor((now + 120_000) / 1000));
  let s = applySignal(noSignals(), cappingSignal({ capping_status: 'CAPPED', total_quota: 50, used_quota: 50, cycle_end_timestamp: cycleEnd })!);
  assert.deepEqual(signalHealth(s, now), { health: 'critical', healthReason: 'message-capped' });
  assert.equal(msUntilSignalsChange(s, now), 120_000);
  s = applySignal(s, reachoutSignal({ isActive: true, timeEnforcementEnds: new Date(now + 60_000) })!);
  assert.equal(msUntilSignalsChange(s, now), 60_000, 'the lock ends first');
  assert.equal(msUntilSignalsChange(s, now + 60_000), 60_000, 'then the cycle');
  assert.deepEqual(signalHealth(s, now + 60_000), { health: 'critical', healthReason: 'message-capped' });
  assert.equal(signalHealth(s, now + 120_000), null, 'the cycle ended: a fresh quota');
  assert.deepEqual(inForce(s, now + 120_000), noSignals());
  assert.equal(msUntilSignalsChange(s, now + 120_000), null, 'nothing left to end');
  // A cap without a cycle end, and a lock without an end, change only when WhatsApp says so.
  const open = applySignal(applySignal(noSignals(), cappingSignal({ capping_status: 'CAPPED' })!), reachoutSignal({ isActive: true })!);
  assert.equal(msUntilSignalsChange(open, now), null);
  assert.deepEqual(inForce(open, now + 1e12), open);
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

test('stored form: round trip; a lock whose end has passed expires on load; nothing said is null; a bad row is nothing', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');
  assert.equal(storedSignals(noSignals()), null);
  let s = applySignal(noSignals(), cappingSignal({ capping_status: 'CAPPED', total_quota: 50, used_quota: 50 })!);
  s = applySignal(s, reachoutSignal({ isActive: true, timeEnforcementEnds: new Date(now + 60_000), enforcementType: 'DEFAULT' })!);
  const text = storedSignals(s)!;
  assert.deepEqual(loadSignals(text, now), s);
  assert.deepEqual(signalHealth(loadSignals(text, now), now), { health: 'critical', healthReason: 'reachout-locked' });
  const later = loadSignals(text, now + 60_000);
  assert.equal(later.reachout, null, 'ended: expired');
  assert.deepEqual(later.capping, s.capping, 'the capping stays');
  assert.deepEqual(inForce(s, now + 60_000), later);
  // A lock without an end, and a lifted one, stay as WhatsApp said them.
  const open = applySignal(noSignals(), reachoutSignal({ isActive: true })!);
  assert.deepEqual(loadSignals(storedSignals(open), now + 1e12), open);
  const lifted = applySignal(noSignals(), reachoutSignal({ isActive: false })!);
  assert.deepEqual(loadSignals(storedSignals(lifted), now), lifted);
  for (const bad of [null, undefined, '', 'not json', '{"reachout":{"kind":"x"},"capping":null}', '{"capping":{"kind":"message-capping","status":"??"}}']) assert.deepEqual(loadSignals(bad, now), noSignals(), String(bad));
});

test('stored form: a signals write leaves the status alone, and coalescing keeps both', async () => {
  const sql = new SqlBuilder(DIALECTS.sqlite).phoneState(7, { accountSignals: '{}' });
  assert.doesNotMatch(sql.sql, /"status"/);
  assert.match(sql.sql, /"accountSignals" = \?/);
  assert.equal(sql.params.at(-1), 7);
  // A full outbox coalesces state writes: a status-less signals write takes the status of the one beside it, either way round.
  for (const newerIsSignals of [false, true]) {
    const applied: OutboxWrite[] = [];
    let up = false;
    let wake = () => {};
    const down = () => Object.assign(new Error('down'), { code: 'P1001' });
    const box = new Outbox({ apply: async (w) => { if (!up) throw down(); applied.push(...w); }, isUnreachable: () => true, sleep: () => new Promise<void>((r) => (wake = r)), limit: 2, maxGroup: 1 });
    const signals: OutboxWrite = { kind: 'state', data: { accountSignals: '{"capping":null,"reachout":null}' } };
    const closed: OutboxWrite = { kind: 'state', data: { status: 'closed', lastCloseReason: 'x' } };
    box.push(newerIsSignals ? closed : signals);
    await new Promise((r) => setImmediate(r)); // the first try failed: waiting
    box.push(newerIsSignals ? signals : closed);
    box.push({ kind: 'event', data: { phoneId: 1, type: 'e', sender: null, count: null, message: null, detail: null } }); // full: the two coalesce
    up = true;
    wake();
    await box.idle();
    assert.equal(box.coalescedStates, 1);
    const first = applied[0];
    assert.deepEqual(first.kind === 'state' && first.data, { status: 'closed', lastConnectedAt: undefined, lastCloseReason: 'x', accountSignals: '{"capping":null,"reachout":null}' });
  }
});
