// The seed's session_error_warning payload, built from engine events as pure logic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { errorWarningPayload, signature } from '../../../lib/webhooks/outbox';
import type { DecryptFailureKind, SessionEngineEvent } from '../../../lib/sessions/types';

const at = '2026-01-02T03:04:05.000Z';
const failure = (kind: DecryptFailureKind, count: number | null, max: number | null): SessionEngineEvent => ({
  type: 'decrypt-failure',
  phoneId: 7,
  phoneJid: '77050000007@s.whatsapp.net',
  kind,
  errorType: kind === 'bad-mac' ? 'Bad MAC' : kind === 'bad-decrypt' ? 'Bad Decrypt' : 'No session record',
  sender: '15550001111@s.whatsapp.net',
  count,
  max,
  deletedKeys: 1,
  at,
});

test('Bad MAC: nothing below max - 1; a critical warning at 2/3 and 3/3', () => {
  assert.equal(errorWarningPayload(failure('bad-mac', 1, 3)), null);
  assert.deepEqual(errorWarningPayload(failure('bad-mac', 2, 3)), {
    type: 'session_error_warning',
    phoneId: 7,
    errorType: 'Bad MAC',
    currentCount: 2,
    maxAllowed: 3,
    severity: 'critical',
    timestamp: at,
  });
  assert.equal(errorWarningPayload(failure('bad-mac', 3, 3))?.currentCount, 3);
});

test('Bad Decrypt: nothing at 1 to 3 of 5; a critical warning at 4/5 and 5/5', () => {
  for (const count of [1, 2, 3]) assert.equal(errorWarningPayload(failure('bad-decrypt', count, 5)), null, `count ${count}`);
  const w4 = errorWarningPayload(failure('bad-decrypt', 4, 5));
  assert.deepEqual(w4, { type: 'session_error_warning', phoneId: 7, errorType: 'Bad Decrypt', currentCount: 4, maxAllowed: 5, severity: 'critical', timestamp: at });
  assert.deepEqual(Object.keys(w4!).sort(), ['currentCount', 'errorType', 'maxAllowed', 'phoneId', 'severity', 'timestamp', 'type']);
  assert.equal(errorWarningPayload(failure('bad-decrypt', 5, 5))?.severity, 'critical');
});

test('other limits: a warning (not critical) below max - 1 is never sent; at max - 1 it is', () => {
  assert.equal(errorWarningPayload(failure('bad-decrypt', 8, 10)), null);
  assert.deepEqual(errorWarningPayload(failure('bad-decrypt', 9, 10))?.severity, 'critical');
  // A limit of 1: the first failure is already at the limit.
  assert.equal(errorWarningPayload(failure('bad-mac', 1, 1))?.currentCount, 1);
});

test('uncounted kinds and other events send nothing', () => {
  for (const kind of ['no-session', 'message-absent', 'version', 'other'] as const) assert.equal(errorWarningPayload(failure(kind, null, null)), null, kind);
  assert.equal(errorWarningPayload({ type: 'state', phoneId: 7, phoneJid: 'x', state: 'open', previous: 'connecting', at }), null);
  assert.equal(errorWarningPayload({ type: 'auto-closed', phoneId: 7, phoneJid: 'x', reason: 'Bad MAC limit reached (3/3)', closeReason: { code: 'auto_closed', params: { errorType: 'Bad MAC', count: 3, max: 3 } }, errorType: 'Bad MAC', at }), null);
});

test('the signature is the HMAC-SHA256 of the exact body', () => {
  const body = JSON.stringify(errorWarningPayload(failure('bad-mac', 2, 3)));
  assert.equal(signature(body, 's3cret'), 'sha256=' + crypto.createHmac('sha256', 's3cret').update(body).digest('hex'));
  assert.notEqual(signature(body + ' ', 's3cret'), signature(body, 's3cret'));
  assert.notEqual(signature(body, 'other'), signature(body, 's3cret'));
});

test('session_closed: a phone WhatsApp stopped (a ban, a logout…), never a close the console asked for nor a reconnect', async () => {
  const { sessionClosedPayload } = await import('../../../lib/webhooks/outbox');
  const state = (state: 'closed' | 'logged_out' | 'connecting', previous: 'open' | 'closing', closeReason: SessionEngineEvent & { type: 'state' } extends { closeReason?: infer R } ? R : never): SessionEngineEvent => ({
    type: 'state',
    phoneId: 7,
    phoneJid: '77050000007@s.whatsapp.net',
    state,
    previous,
    reason: 'Stream Errored (402)',
    closeReason,
    at,
  });
  const banned = { code: 'banned' as const, params: { status: 402, detail: 'Stream Errored' } };
  assert.deepEqual(sessionClosedPayload(state('closed', 'open', banned)), {
    type: 'session_closed',
    phoneId: 7,
    phoneJid: '77050000007@s.whatsapp.net',
    code: 'banned',
    closeReason: banned,
    reason: 'Stream Errored (402)',
    timestamp: at,
  });
  assert.equal(sessionClosedPayload(state('logged_out', 'open', { code: 'logged_out', params: { status: 401 } }))?.code, 'logged_out');
  assert.equal(sessionClosedPayload(state('connecting', 'open', { code: 'connection_lost', params: { status: 428 } })), null, 'a reconnect is not a close');
  assert.equal(sessionClosedPayload(state('closed', 'closing', { code: 'manual', params: {} })), null, "the console's own close");
  assert.equal(sessionClosedPayload(state('closed', 'open', { code: 'restart_required', params: { status: 515 } })), null);
});
