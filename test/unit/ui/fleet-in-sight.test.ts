// The fleet in the UI (issue 27.9) and the audited demo faults (27.18): what each node shows, how a
// rebalanced phone and a silent owner's countdown read, and the fault kind beside its audit entry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { translator } from '../../../lib/ui/i18n';
import { reasonText } from '../../../lib/ui/session-text';
import { reason, closeReasonText } from '../../../lib/sessions/reasons';
import { auditActionDetail } from '../../../lib/ui/audit-text';
import { nodeViews } from '../../../lib/fleet/nodes';
import { secondsUntil } from '../../../components/nodes/OwnerLostCountdown';

const en = translator('en');
const ru = translator('ru');

test('nodes: lease age and end on the database clock, silent once renewals were missed', () => {
  const settings = { self: 'na', ttlMs: 10_000, renewMs: 2000 };
  const now = 1_000_000;
  const views = nodeViews(
    [
      { id: 'na', capacity: 10000, leaseExpiresMs: String(now + 9000), nowMs: BigInt(now), phones: 3n },
      { id: 'nb', capacity: 50, leaseExpiresMs: now + 4000, nowMs: now, phones: 0 },
    ],
    settings,
  );
  assert.deepEqual(views[0], { id: 'na', self: true, state: 'live', phones: 3, capacity: 10000, leaseAgeMs: 1000, leaseEndsInMs: 9000 });
  // renewed 6 s ago: more than two renewals (4 s) missed
  assert.deepEqual(views[1], { id: 'nb', self: false, state: 'silent', phones: 0, capacity: 50, leaseAgeMs: 6000, leaseEndsInMs: 4000 });
});

test('a rebalanced phone reads "moved to node X" once the new owner is known, never "server shutting down"', () => {
  const r = reason('rebalanced', { from: 'na' });
  assert.equal(reasonText(en, r, null, { node: 'nb' }), 'moved to node nb (rebalancing)');
  assert.equal(reasonText(ru, r, null, { node: 'nb' }), 'перенесена на узел nb (перебалансировка)');
  // Still on the node that handed it over (or nobody reported it yet): handed over, no guess.
  assert.equal(reasonText(en, r, null, { node: 'na' }), 'handed to another node (rebalancing)');
  assert.equal(reasonText(en, r), 'handed to another node (rebalancing)');
  assert.doesNotMatch(reasonText(en, r, null, { node: 'nb' }), /shutting down/);
  assert.match(closeReasonText(r), /rebalancing/);
});

test('a phone whose node drained reads "moved to node X (its node was stopped)", never "server shutting down"', () => {
  const r = reason('drained', { from: 'na' });
  assert.equal(reasonText(en, r, null, { node: 'nb' }), 'moved to node nb (its node was stopped)');
  assert.equal(reasonText(ru, r, null, { node: 'nb' }), 'перенесена на узел nb (её узел остановлен)');
  // Not moved (yet), or the same node back (a console that runs alone): the stop is what happened.
  assert.equal(reasonText(en, r), 'node na was stopped');
  assert.equal(reasonText(ru, r, null, { node: 'na' }), 'узел na был остановлен');
  assert.equal(closeReasonText(r), 'Node na was stopped (drained): any live node runs the phone next');
});

test('the silent owner countdown: whole seconds up, never below zero, nothing without a clock', () => {
  const end = '2026-12-06T03:00:10.000Z';
  assert.equal(secondsUntil(end, Date.parse('2026-12-06T03:00:02.500Z')), 8);
  assert.equal(secondsUntil(end, Date.parse('2026-12-06T03:00:11.000Z')), 0);
  assert.equal(secondsUntil(end, 0), null, 'the server render has no clock');
  assert.equal(secondsUntil(null, Date.now()), null);
  assert.equal(en('status.ownerLostMoving', { n: 8 }), 'owner lost — moving in 8 s');
  assert.equal(ru('status.ownerLostMoving', { n: 8 }), 'узел потерян — перенос через 8 с');
});

test('an injected demo fault shows its kind beside the audit action, in both languages', () => {
  assert.equal(auditActionDetail(en, 'demo.fault', { type: 'bad-mac', count: 2, delivered: 2 }), 'Fault: bad-mac × 2');
  assert.equal(auditActionDetail(en, 'demo.fault', { type: 'drop', count: 1 }), 'Fault: drop');
  assert.match(auditActionDetail(ru, 'demo.fault', { type: 'drop', count: 1 }) ?? '', /^[А-Яа-яЁё]+: drop$/);
  assert.equal(auditActionDetail(en, 'session.start', { type: 'x' }), null);
  assert.equal(auditActionDetail(en, 'demo.fault', null), null);
});
