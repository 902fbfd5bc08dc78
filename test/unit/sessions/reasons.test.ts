import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adminLogout, CLOSE_REASON_CODES, closeReasonText, manualClose, parseLastClose, reason, whatsAppCloseCode, whatsAppCloseReason } from '../../../lib/sessions/reasons';

test('close reasons: WhatsApp status codes map onto the catalogue', () => {
  const map = Object.fromEntries([401, 440, 402, 403, 406, 463, 405, 515, 408, 428, 500, 411, 999].map((s) => [s, whatsAppCloseCode(s)]));
  assert.deepEqual(map, {
    401: 'logged_out', 440: 'replaced', 402: 'banned', 403: 'banned', 406: 'banned', 463: 'restricted', 405: 'version_outdated',
    515: 'restart_required', 408: 'connection_lost', 428: 'connection_lost', 500: 'bad_session', 411: 'unknown', 999: 'unknown',
  });
  assert.equal(whatsAppCloseCode(undefined), 'connection_lost');
  assert.deepEqual(whatsAppCloseReason(401, 'Connection Failure'), { code: 'logged_out', params: { status: 401, detail: 'Connection Failure' } });
});

test('close reasons: the English rendering is the text the API gave before reasons were structured', () => {
  assert.equal(closeReasonText(manualClose()), 'Manual close');
  assert.equal(closeReasonText(manualClose('Manual close')), 'Manual close');
  assert.deepEqual(manualClose('Switching devices'), { code: 'manual', params: { text: 'Switching devices' } });
  assert.equal(closeReasonText(adminLogout()), 'Logged out by an administrator');
  assert.equal(closeReasonText(reason('auto_closed', { errorType: 'Bad MAC', count: 3, max: 3 })), 'Bad MAC limit reached (3/3)');
  assert.equal(closeReasonText(whatsAppCloseReason(401, 'boom')), 'Logged out by WhatsApp: boom (401)');
  assert.equal(closeReasonText(reason('proxy_failed', { kind: 'auth', detail: 'proxy authentication failed' })), 'proxy authentication failed');
  assert.equal(closeReasonText(reason('reconnecting', { attempt: 2, last: whatsAppCloseReason(428, 'Connection Closed') })), 'Reconnecting (attempt 2) after: Connection Closed (428)');
  for (const code of CLOSE_REASON_CODES) assert.ok(code.length > 0);
});

test('close reasons: a stored lastClose is read back, anything else is null', () => {
  const at = '2026-12-05T10:00:00.000Z';
  assert.deepEqual(parseLastClose(JSON.stringify({ code: 'replaced', params: { status: 440 }, at })), { code: 'replaced', params: { status: 440 }, at });
  assert.equal(parseLastClose(null), null);
  assert.equal(parseLastClose('not json'), null);
  assert.equal(parseLastClose(JSON.stringify({ code: 'nonsense', params: {}, at })), null);
});
