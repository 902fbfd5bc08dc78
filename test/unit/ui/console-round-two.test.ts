// Issue 27's pure pieces: the one clock's words, the sessions view in the URL, the hint before a
// counter closes a session, field-level errors, the audit log's words and CSV.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { translator } from '../../../lib/ui/i18n';
import { exactTime, relativeTime, userLocale } from '../../../lib/ui/time';
import { DEFAULT_SORT, viewFromParams, viewQuery } from '../../../lib/ui/list-params';
import { closeWarning, errorMessage, fieldErrors, shownCounters } from '../../../lib/ui/session-text';
import { reason } from '../../../lib/sessions/reasons';
import { changesHealthTiles } from '../../../components/sessions/useSessionStream';
import { RequestError } from '../../../lib/ui/fetch-json';
import { auditActionText } from '../../../lib/ui/audit-text';
import { AUDIT_ACTIONS } from '../../../lib/audit-actions';
import { auditCsv, csvCell, type AuditEntry } from '../../../lib/audit';
import { auditQuerySchema } from '../../../lib/api/schemas';

const en = translator('en');
const ru = translator('ru');

test('times: relative in the user locale, the exact time with its zone', () => {
  const now = Date.parse('2026-12-05T23:58:00Z');
  assert.equal(relativeTime('en-US', '2026-12-05T23:57:30Z', now), 'now');
  assert.equal(relativeTime('en-US', '2026-12-05T23:55:00Z', now), '3 min. ago');
  assert.equal(relativeTime('ru-RU', '2026-12-05T20:58:00Z', now), '3 ч назад');
  assert.equal(relativeTime('en-US', '2026-12-06T00:00:00Z', now), 'in 2 min.');
  assert.equal(exactTime('en-US', '2026-12-05T23:58:03Z', 'America/New_York'), '12/5/26, 6:58:03 PM EST');
  assert.equal(exactTime('ru-RU', '2026-12-05T23:58:03Z', 'Europe/Moscow'), '06.12.2026, 02:58:03 GMT+3');
  assert.equal(userLocale('en', ['ru-RU', 'en-GB']), 'en-GB');
  assert.equal(userLocale('en', ['de-DE']), 'en-US');
  assert.equal(userLocale('ru', ['ru']), 'ru');
});

test('the sessions view round-trips through the URL; junk falls back to the default', () => {
  const view = { filters: { q: 'Acme', status: 'closed' as const, health: 'critical' as const, organizationId: '7' }, sort: 'phone', page: 3 };
  const qs = viewQuery(view);
  assert.equal(qs, 'q=Acme&status=closed&health=critical&organizationId=7&sort=phone&page=3');
  const p = new URLSearchParams(qs);
  assert.deepEqual(viewFromParams((n) => p.get(n)), view);
  const junk = new URLSearchParams('status=nope&health=x&organizationId=-1&sort=drop%20table&page=0');
  assert.deepEqual(viewFromParams((n) => junk.get(n)), { filters: { q: '', status: '', health: '', organizationId: '' }, sort: DEFAULT_SORT, page: 1 });
  assert.equal(viewQuery(viewFromParams(() => null)), '');
});

test('the hint before the next counted failure closes the session', () => {
  const stats = { badMacErrors: 2, maxBadMacErrors: 3, badDecryptErrors: 0, maxBadDecryptErrors: 5 };
  assert.equal(closeWarning(en, 'open', stats), 'One more Bad MAC closes the session. Restart resets the counters.');
  assert.equal(closeWarning(ru, 'open', { ...stats, badDecryptErrors: 4 }), 'Ещё одна ошибка Bad MAC или Bad Decrypt закроет сессию. «Перезапустить» обнуляет счётчики.');
  assert.equal(closeWarning(en, 'open', { ...stats, badMacErrors: 1 }), null);
  assert.equal(closeWarning(en, 'closed', stats), null, 'a closed session has nothing next');
  assert.equal(closeWarning(en, 'open', { ...stats, badMacErrors: 0, maxBadMacErrors: 1 }), null);
});

test('a row closed by a counter keeps the count that closed it', () => {
  const zero = { badMacErrors: 0, maxBadMacErrors: 3, badDecryptErrors: 0, maxBadDecryptErrors: 5 };
  const closedBy = reason('auto_closed', { errorType: 'Bad Decrypt', count: 5, max: 5 });
  assert.equal(shownCounters('closed', zero, closedBy).badDecryptErrors, 5);
  assert.equal(shownCounters('closed', zero, closedBy).badMacErrors, 0);
  assert.equal(shownCounters('open', zero, closedBy).badDecryptErrors, 0, 'running again: the live counters');
  assert.equal(shownCounters('closed', zero, reason('manual', {})), zero);
});

test('field-level errors from the API details; an unreachable console in words', () => {
  const err = new RequestError(400, 'Invalid body: phone: …', 'bad_request', [{ path: 'phone', message: 'phone must be an international number' }, { path: 'x', message: 'x is odd' }]);
  assert.deepEqual(fieldErrors(en, err), { phone: 'Phone: enter an international number, 7 to 15 digits, e.g. 77051234567', x: 'x is odd' });
  assert.equal(errorMessage(en, err), 'The request is not valid: Phone: enter an international number, 7 to 15 digits, e.g. 77051234567; x is odd');
  assert.equal(errorMessage(ru, new RequestError(0, 'The console cannot be reached (Failed to fetch)', 'unreachable')), 'Консоль недоступна');
  assert.deepEqual(fieldErrors(en, new Error('boom')), {});
});

test('audit: every action worded in both languages; filters validated; CSV cells safe', () => {
  for (const a of AUDIT_ACTIONS) {
    assert.notEqual(auditActionText(en, a), a);
    assert.notEqual(auditActionText(ru, a), auditActionText(en, a), a);
  }
  assert.equal(auditActionText(en, 'session.start'), 'Session started');
  assert.equal(auditActionText(en, 'something.new'), 'something.new');
  assert.equal(auditQuerySchema.safeParse({ from: '2026-12-06', to: '2026-12-05' }).success, false);
  assert.equal(auditQuerySchema.safeParse({ action: 'session' }).success, true);
  assert.equal(auditQuerySchema.safeParse({ action: "x' OR 1" }).success, false);
  assert.equal(auditQuerySchema.safeParse({ phone: '+7705' }).success, true);
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
  assert.equal(csvCell('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
  assert.equal(csvCell(null), '');
  const entry: AuditEntry = { id: 1, actorType: 'user', actorName: 'a@b', action: 'session.close', targetType: 'phone', targetId: '2', targetLabel: '+77051234567', reason: 'line\nbreak', result: 'ok', detail: { n: 1 }, createdAt: '2026-12-05T00:00:00.000Z' };
  assert.equal(auditCsv([entry]), 'id,time,actorType,actor,action,targetType,targetId,target,reason,result,detail\r\n1,2026-12-05T00:00:00.000Z,user,a@b,session.close,phone,2,+77051234567,"line\nbreak",ok,"{""n"":1}"\r\n');
});

test('the health tiles are read again after events that can move them, not after others', () => {
  const at = '2026-12-05T00:00:00.000Z';
  assert.equal(changesHealthTiles({ type: 'state', phoneId: 1, phoneJid: 'x', state: 'closed', previous: 'open', at }), true);
  assert.equal(changesHealthTiles({ type: 'state', phoneId: 1, phoneJid: 'x', state: 'qr', previous: 'connecting', at }), false);
  assert.equal(changesHealthTiles({ type: 'qr', phoneId: 1, phoneJid: 'x', qr: 'q', at }), false);
});
