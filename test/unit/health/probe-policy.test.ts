import { test } from 'node:test';
import assert from 'node:assert/strict';
import { afterProbe, onNewSocket, probeGap, RESPONSIVE, type ProbeState } from '../../../lib/health/probe-policy';
import { healthOf, stoppedHealth } from '../../../lib/health/level';
import { historyStateOf } from '../../../lib/health/history-states';
import { adminLogout, manualClose, reason, whatsAppCloseReason } from '../../../lib/sessions/reasons';

const policy = { failures: 3, restart: true };

function run(results: boolean[], start: ProbeState = RESPONSIVE, settings = policy) {
  let state = start;
  const decisions = results.map((ok, i) => {
    const r = afterProbe(state, ok, settings, `t${i}`);
    state = r.state;
    return r.decision;
  });
  return { state, decisions };
}

test('unresponsive exactly at the PROBE_FAILURES-th failure in a row, once per run of failures', () => {
  const { decisions, state } = run([false, false, false, false, false]);
  assert.deepEqual(decisions.map((d) => d.action), ['none', 'none', 'unresponsive', 'none', 'none']);
  assert.deepEqual(decisions[2], { action: 'unresponsive', failures: 3, restart: true, afterRestart: false });
  assert.equal(state.unresponsiveSince, 't2');
});

test('a success between failures starts the count again', () => {
  const { decisions } = run([false, false, true, false, false]);
  assert.ok(decisions.every((d) => d.action === 'none'));
});

test('restart once per incident: after the restart the new socket failing again is reported, not restarted', () => {
  let { state } = run([false, false, false]);
  assert.equal(state.restarted, true);
  state = onNewSocket(state);
  assert.equal(state.consecutiveFailures, 0);
  assert.equal(state.unresponsiveSince, 't2', 'the incident goes on over the restart');
  const again = run([false, false, false], state);
  assert.deepEqual(again.decisions[2], { action: 'unresponsive', failures: 3, restart: false, afterRestart: true });
  assert.equal(again.state.unresponsiveSince, 't2');
});

test('recovered on the first success of an incident, with when it began; a new incident may restart again', () => {
  const { state } = run([false, false, false]);
  const r = afterProbe(onNewSocket(state), true, policy, 'later');
  assert.deepEqual(r.decision, { action: 'recovered', since: 't2' });
  assert.deepEqual(r.state, RESPONSIVE);
  assert.deepEqual(run([false, false, false], r.state).decisions[2], { action: 'unresponsive', failures: 3, restart: true, afterRestart: false });
});

test('PROBE_RESTART off: reported, never restarted', () => {
  const { decisions } = run([false, false, false], RESPONSIVE, { failures: 3, restart: false });
  assert.deepEqual(decisions[2], { action: 'unresponsive', failures: 3, restart: false, afterRestart: false });
});

test('PROBE_FAILURES 1: the first failure makes it unresponsive', () => {
  assert.equal(run([false], RESPONSIVE, { failures: 1, restart: true }).decisions[0].action, 'unresponsive');
});

test('probes are spread evenly: the gap is the interval over the phones, never below the floor', () => {
  assert.equal(probeGap(60_000, 2000), 30);
  assert.equal(probeGap(60_000, 1), 60_000);
  assert.equal(probeGap(60_000, 0), 60_000);
  assert.equal(probeGap(1000, 1_000_000), 1);
  assert.equal(probeGap(1000, 1_000_000, 5), 5);
});

test('health with its reason: unresponsive beats the counters; not running is closed', () => {
  const ok = { badMacErrors: 0, badDecryptErrors: 0, maxBadMacErrors: 3, maxBadDecryptErrors: 5, isHealthy: true };
  const two = { ...ok, badMacErrors: 2 };
  assert.deepEqual(healthOf(ok, true, false), { health: 'healthy', healthReason: null });
  assert.deepEqual(healthOf(ok, true, true), { health: 'critical', healthReason: 'unresponsive' });
  assert.deepEqual(healthOf(two, true, false), { health: 'critical', healthReason: 'decrypt-errors' });
  assert.deepEqual(healthOf({ ...ok, badMacErrors: 1 }, true, false), { health: 'degraded', healthReason: 'decrypt-errors' });
  assert.deepEqual(healthOf(ok, false, true), { health: 'closed', healthReason: 'not-running' });
  // WhatsApp banned or restricted it: critical with that reason while it is not connected.
  assert.deepEqual(healthOf(ok, false, false, 'banned'), { health: 'critical', healthReason: 'banned' });
  assert.deepEqual(healthOf(ok, false, false, 'restricted'), { health: 'critical', healthReason: 'restricted' });
  assert.deepEqual(healthOf(ok, false, false, 'connection_lost'), { health: 'closed', healthReason: 'not-running' });
  assert.deepEqual(healthOf(ok, true, false, 'banned'), { health: 'healthy', healthReason: null }, 'open again: the ban is over');
  assert.deepEqual(stoppedHealth(null), { health: 'closed', healthReason: 'not-running' });
});

test('history states: closing continues the last one; an operator close is stopped, any other close is closed', () => {
  const lost = whatsAppCloseReason(428, 'Connection Closed');
  assert.equal(historyStateOf('open'), 'open');
  assert.equal(historyStateOf('qr'), 'connecting');
  assert.equal(historyStateOf('connecting', manualClose()), 'connecting');
  assert.equal(historyStateOf('closing', lost), null);
  assert.equal(historyStateOf('closed', reason('auto_closed', { errorType: 'Bad MAC', count: 3, max: 3 })), 'closed');
  assert.equal(historyStateOf('closed', manualClose('new handset')), 'stopped');
  assert.equal(historyStateOf('closed', reason('restart')), 'stopped');
  assert.equal(historyStateOf('closed', reason('shutdown')), 'stopped');
  assert.equal(historyStateOf('logged_out', whatsAppCloseReason(401, 'logged out')), 'closed');
  assert.equal(historyStateOf('logged_out', adminLogout()), 'stopped');
  assert.equal(historyStateOf('idle'), 'stopped');
});
