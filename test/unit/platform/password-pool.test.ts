// Issue 21.3: password checks are bounded. With PASSWORD_CHECK_CONCURRENCY checks running and
// PASSWORD_CHECK_QUEUE waiting, one more is refused at once with 503 sign_in_busy (never waits
// without bound); the running and the waiting ones still answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resetConfig } from '../../../lib/config';
import { hashPassword, SIGN_IN_BUSY, verifyPassword } from '../../../lib/auth/password';
import { toResponse } from '../../../lib/api/errors';

test('a password check beyond the queue is refused at once: 503 sign_in_busy', async () => {
  process.env.PASSWORD_CHECK_CONCURRENCY = '1';
  process.env.PASSWORD_CHECK_QUEUE = '1';
  resetConfig();
  (globalThis as { __passwordPool?: unknown }).__passwordPool = undefined;
  try {
    const hash = await hashPassword('right password', 8);
    const running = verifyPassword('right password', hash);
    const waiting = verifyPassword('wrong password', hash);
    let refused: unknown;
    await verifyPassword('third', hash).catch((err: unknown) => (refused = err));
    assert.equal((refused as { code?: string })?.code, SIGN_IN_BUSY);
    const res = toResponse(refused);
    assert.equal(res.status, 503);
    assert.equal(((await res.json()) as { code: string }).code, 'sign_in_busy');
    assert.equal(await running, true);
    assert.equal(await waiting, false);
    // The queue drained: the next check runs.
    assert.equal(await verifyPassword('right password', hash), true);
  } finally {
    delete process.env.PASSWORD_CHECK_CONCURRENCY;
    delete process.env.PASSWORD_CHECK_QUEUE;
    resetConfig();
  }
});
