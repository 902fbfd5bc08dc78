// The alert rules as pure policy: what each signal opens and resolves, the time rule, the digest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AlertRules, byAudience, closeKind, nodeKey, phoneKey, planMessages, type AlertChange, type AlertSignal, type Notice } from '../../../lib/alerts/policy';
import { alertPayload, incidentLink, renderMail } from '../../../lib/alerts/render';
import type { HealthEvent } from '../../../lib/health/events';
import type { CloseReason } from '../../../lib/sessions/reasons';
import type { SessionEngineEvent, SessionState } from '../../../lib/sessions/types';

const T0 = Date.parse('2026-12-05T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const jid = '77050000001@s.whatsapp.net';
const engine = (event: SessionEngineEvent, organizationId: number | null = 3): AlertSignal => ({ type: 'engine', event, organizationId });
const state = (s: SessionState, closeReason?: CloseReason, atMs = T0): AlertSignal =>
  engine({ type: 'state', phoneId: 1, phoneJid: jid, state: s, previous: 'open', reason: closeReason ? `text of ${closeReason.code}` : undefined, closeReason, at: iso(atMs) });
const stats = (health: 'healthy' | 'degraded' | 'critical', atMs: number): AlertSignal =>
  engine({ type: 'stats', phoneId: 1, phoneJid: jid, health, healthReason: health === 'healthy' ? null : 'decrypt-errors', at: iso(atMs), stats: { badMacErrors: 2, badDecryptErrors: 0, maxBadMacErrors: 3, maxBadDecryptErrors: 5, isHealthy: true } });
const health = (e: Partial<HealthEvent> & { type: HealthEvent['type'] }): AlertSignal =>
  ({ type: 'health', event: { phoneId: 1, organizationId: 3, phoneJid: jid, at: iso(T0), failures: 3, afterRestart: false, restarting: true, since: iso(T0), how: 'probe-ok', uptime: 0.98, objective: 0.995, windowDays: 7, ...e } as unknown as HealthEvent });
const opened = (changes: AlertChange[]) => changes.filter((c) => c.op === 'open').map((c) => (c.op === 'open' ? c.incident : null)!);
const resolved = (changes: AlertChange[]) => changes.filter((c) => c.op === 'resolve').map((c) => (c.op === 'resolve' ? c.key : ''));
const rules = () => new AlertRules({ criticalAfterMs: 10 * 60_000 });

test('close reasons: logged out by WhatsApp, banned, restricted; an admin, a give-up, a replaced connection or a manual close are not alerts', () => {
  assert.equal(closeKind('logged_out', { code: 'logged_out', params: { status: 401 } }), 'logged_out');
  assert.equal(closeKind('logged_out', { code: 'admin_logout', params: {} }), null);
  assert.equal(closeKind('logged_out', { code: 'phone_deleted', params: {} }), null);
  assert.equal(closeKind('closed', { code: 'banned', params: { status: 403 } }), 'banned');
  assert.equal(closeKind('closed', { code: 'restricted', params: { status: 463 } }), 'restricted');
  assert.equal(closeKind('closed', { code: 'manual', params: {} }), null);
  assert.equal(closeKind('closed', { code: 'auto_closed', params: { errorType: 'Bad MAC', count: 3, max: 3 } }), null, 'the auto-close has its own event');
  assert.equal(closeKind('closed', { code: 'gave_up', params: { attempts: 10, last: { code: 'banned', params: { status: 403 } } } }), null);
  assert.equal(closeKind('closed', { code: 'replaced', params: { status: 440 } }), null);
  assert.equal(closeKind('connecting', { code: 'banned', params: { status: 403 } }), null);
  assert.equal(closeKind('closed', undefined), null);
});

test('a ban opens one incident for the phone with its organization; opening again resolves every close kind', () => {
  const r = rules();
  const changes = r.observe(state('closed', { code: 'banned', params: { status: 403 } }));
  assert.deepEqual(opened(changes), [{ key: 'phone:1:banned', kind: 'banned', phoneId: 1, phoneJid: jid, organizationId: 3, nodeId: null, reason: 'text of banned', atMs: T0 }]);
  assert.deepEqual(resolved(r.observe(state('open', undefined, T0 + 5000))).sort(), ['auto_closed', 'banned', 'logged_out', 'restricted'].map((k) => `phone:1:${k}`).sort());
});

test('a banned phone stays critical (health reason banned) without a second, "critical" incident', () => {
  const r = rules();
  r.observe(state('closed', { code: 'banned', params: { status: 402 } }));
  const criticalBanned: AlertSignal = engine({ type: 'stats', phoneId: 1, phoneJid: jid, health: 'critical', healthReason: 'banned', at: iso(T0), stats: { badMacErrors: 0, badDecryptErrors: 0, maxBadMacErrors: 3, maxBadDecryptErrors: 5, isHealthy: true } });
  assert.deepEqual(r.observe(criticalBanned), []);
  assert.equal(r.nextDueMs(), null, 'no critical watch started');
  assert.deepEqual(r.due(T0 + 60 * 60_000), []);
});

test('auto-closed opens an auto_closed incident with the engine reason', () => {
  const [i] = opened(rules().observe(engine({ type: 'auto-closed', phoneId: 1, phoneJid: jid, reason: 'Bad MAC limit reached (3/3)', closeReason: { code: 'auto_closed', params: { errorType: 'Bad MAC', count: 3, max: 3 } }, errorType: 'Bad MAC', at: iso(T0) })));
  assert.equal(i.kind, 'auto_closed');
  assert.equal(i.key, phoneKey(1, 'auto_closed'));
  assert.equal(i.reason, 'Bad MAC limit reached (3/3)');
});

test('critical for longer than N minutes: nothing before, one incident at N, resolved once the health leaves critical', () => {
  const r = rules();
  assert.deepEqual(r.observe(stats('critical', T0)), []);
  assert.deepEqual(r.observe(stats('critical', T0 + 60_000)), [], 'a second critical stats event keeps the first start');
  assert.equal(r.nextDueMs(), T0 + 10 * 60_000);
  assert.deepEqual(r.due(T0 + 10 * 60_000 - 1), []);
  const [i] = opened(r.due(T0 + 10 * 60_000));
  assert.equal(i.kind, 'critical');
  assert.match(i.reason, /Critical for 10 min/);
  assert.deepEqual(r.due(T0 + 20 * 60_000), [], 'one incident per stretch');
  assert.equal(r.nextDueMs(), null);
  assert.deepEqual(resolved(r.observe(stats('degraded', T0 + 21 * 60_000))), ['phone:1:critical']);
  assert.deepEqual(r.observe(stats('healthy', T0 + 22 * 60_000)), [], 'resolved once');
});

test('critical that ends before N minutes never opens (and resolves nothing)', () => {
  const r = rules();
  r.observe(stats('critical', T0));
  assert.deepEqual(r.observe(state('closed', { code: 'auto_closed', params: { errorType: 'Bad MAC', count: 3, max: 3 } }, T0 + 1000)), []);
  assert.deepEqual(r.due(T0 + 60 * 60_000), []);
});

test('health events: unresponsive (and after the restart), recovered; below objective and met', () => {
  const r = rules();
  const [u] = opened(r.observe(health({ type: 'phone-unresponsive' })));
  assert.equal(u.key, 'phone:1:unresponsive');
  assert.match(u.reason, /3 probes failed in a row \(restarting it\)/);
  assert.match(opened(r.observe(health({ type: 'phone-unresponsive', afterRestart: true, restarting: false })))[0].reason, /still after a restart/);
  assert.deepEqual(resolved(r.observe(health({ type: 'phone-recovered' }))), ['phone:1:unresponsive']);
  const [b] = opened(r.observe(health({ type: 'below-objective' })));
  assert.equal(b.kind, 'below_objective');
  assert.equal(b.reason, 'Uptime 98 % over 7 d, below the objective of 99.5 %');
  assert.deepEqual(resolved(r.observe(health({ type: 'objective-met' }))), ['phone:1:below_objective']);
});

test('fleet nodes: a lost node opens node_lost, a live one resolves it', () => {
  const r = rules();
  const changes = r.observe({ type: 'fleet-nodes', lost: ['n2'], live: ['n1'], atMs: T0 });
  assert.deepEqual(opened(changes).map((i) => [i.key, i.kind, i.nodeId, i.phoneId]), [[nodeKey('n2'), 'node_lost', 'n2', null]]);
  assert.deepEqual(resolved(changes), [nodeKey('n1')]);
});

const notice = (id: number, phase: Notice['phase'] = 'firing', organizationId: number | null = 3): Notice => ({
  phase,
  incident: { id, kind: 'banned', phoneId: id, phoneJid: `7705000${String(id).padStart(4, '0')}@s.whatsapp.net`, organizationId, nodeId: null, reason: 'Connection Failure (403)', openedAt: iso(T0), resolvedAt: phase === 'resolved' ? iso(T0 + 1000) : null },
});

test('digest: up to K notices go one by one; more than K become one digest (200 → 1)', () => {
  assert.deepEqual(planMessages([notice(1), notice(2)], 2).map((m) => m.kind), ['single', 'single']);
  const storm = Array.from({ length: 200 }, (_, i) => notice(200 - i));
  const plan = planMessages(storm, 5);
  assert.equal(plan.length, 1);
  assert.equal(plan[0].kind, 'digest');
  assert.equal(plan[0].kind === 'digest' && plan[0].notices.length, 200);
  assert.equal(plan[0].kind === 'digest' && plan[0].notices[0].incident.id, 1, 'sorted by incident');
});

test('audiences: every notice goes to global, and to its organization', () => {
  const groups = byAudience([notice(1, 'firing', 3), notice(2, 'firing', 4), notice(3, 'firing', null)]);
  assert.deepEqual(groups.map((g) => [g.audience, g.notices.map((n) => n.incident.id)]), [
    [{ scope: 'global' }, [1, 2, 3]],
    [{ scope: 'organization', organizationId: 3 }, [1]],
    [{ scope: 'organization', organizationId: 4 }, [2]],
  ]);
});

test('mail: subject, phone, reason and the link to the phone page; resolved; digest; test', () => {
  const base = 'https://console.example';
  const m = renderMail({ kind: 'single', notice: notice(12) }, base);
  assert.equal(m.subject, '[ALERT] +77050000012 banned');
  assert.match(m.text, /Phone: \+77050000012/);
  assert.match(m.text, /Reason: Connection Failure \(403\)/);
  assert.match(m.text, /Open: https:\/\/console\.example\/sessions\/12/);
  assert.match(m.html, /href="https:\/\/console\.example\/sessions\/12"/);
  assert.equal(renderMail({ kind: 'single', notice: notice(12, 'resolved') }, base).subject, '[RESOLVED] +77050000012 banned');
  const d = renderMail({ kind: 'digest', notices: [notice(1), notice(2), notice(3, 'resolved')] }, base);
  assert.equal(d.subject, '[DIGEST] 3 alerts at once (2 firing, 1 resolved)');
  assert.equal(d.text.split('\n').filter((l) => l.includes('/sessions/')).length, 3);
  assert.match(renderMail({ kind: 'test', atMs: T0 }, base).subject, /^\[TEST\]/);
  assert.equal(incidentLink(base, { phoneId: null }), `${base}/alerts`);
  assert.equal(renderMail({ kind: 'single', notice: { phase: 'firing', incident: { ...notice(1).incident, phoneId: 5, reason: '<b>x</b>' } } }, base).html.includes('<b>x</b>'), false, 'HTML escaped');
});

test('webhook alert payload: firing with the phone and its page; a digest lists every incident', () => {
  const now = new Date(T0);
  const p = alertPayload({ kind: 'single', notice: notice(7) }, 'http://c', now);
  assert.equal(p.type, 'alert');
  assert.equal('status' in p && p.status, 'firing');
  assert.ok('incident' in p && p.incident);
  assert.deepEqual([p.incident.phone, p.incident.url, p.incident.kind], ['+77050000007', 'http://c/sessions/7', 'banned']);
  const d = alertPayload({ kind: 'digest', notices: [notice(1), notice(2)] }, 'http://c', now);
  assert.equal('count' in d && d.count, 2);
});
