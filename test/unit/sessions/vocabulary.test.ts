import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  asSessionState,
  COUNTED_DECRYPT_ERROR_TYPES,
  DECRYPT_FAILURE_KINDS,
  isCountedDecryptKind,
  isRunningState,
  RUNNING_STATES,
  SESSION_EVENT_TYPES,
  SESSION_STATES,
} from '../../../lib/sessions/types';
import { RUNNING_STATUSES } from '../../../lib/fleet/sql';
import { DECRYPT_KINDS } from '../../../lib/metrics';

test('vocabulary: the running states are states, and every derived list is the same list', () => {
  for (const s of RUNNING_STATES) assert.ok(SESSION_STATES.includes(s));
  assert.deepEqual([...RUNNING_STATES].sort(), ['connecting', 'open', 'qr']);
  assert.deepEqual(SESSION_STATES.filter(isRunningState), [...RUNNING_STATES]);
  assert.equal(RUNNING_STATUSES, RUNNING_STATES, 'the fleet starts exactly the running states');
  assert.equal(isRunningState('nonsense'), false);
  assert.equal(asSessionState('open'), 'open');
  assert.equal(asSessionState('nonsense'), 'idle', 'an unknown stored status reads as idle');
});

test('vocabulary: decryption kinds and event types are listed once', () => {
  assert.equal(DECRYPT_KINDS, DECRYPT_FAILURE_KINDS, 'metrics label every kind the engine knows');
  assert.deepEqual(DECRYPT_FAILURE_KINDS.filter(isCountedDecryptKind), ['bad-mac', 'bad-decrypt']);
  assert.deepEqual(Object.values(COUNTED_DECRYPT_ERROR_TYPES), ['Bad MAC', 'Bad Decrypt']);
  assert.deepEqual([...SESSION_EVENT_TYPES].sort(), ['account-signal', 'auto-closed', 'decrypt-failure', 'message.received', 'message.status', 'pairing-code', 'qr', 'reconnect', 'restart', 'state', 'stats']);
});
