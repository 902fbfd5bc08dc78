import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, DATABASE_RETRY } from '../../../lib/retry/backoff';

test('backoff: exponential from the base, capped at the max, without jitter exactly the ceiling', () => {
  const policy = { baseMs: 1000, maxMs: 60_000 };
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(n, policy)), [1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]);
  assert.equal(backoffDelay(0, policy), 1000, 'attempt 0 is treated as the first');
  assert.equal(backoffDelay(-3, policy), 1000);
  assert.equal(backoffDelay(10_000, policy), 60_000, 'a huge attempt neither overflows nor exceeds the cap');
  assert.equal(backoffDelay(3, { baseMs: 500, maxMs: 100 }), 500, 'a max below the base never shortens the base');
});

test('backoff: full jitter is random in [base, ceiling]', () => {
  const policy = { baseMs: 1000, maxMs: 60_000, jitter: 'full' as const };
  assert.equal(backoffDelay(1, policy, () => 0), 1000);
  assert.equal(backoffDelay(1, policy, () => 1), 1000, 'the first retry has nothing to spread');
  assert.equal(backoffDelay(3, policy, () => 1), 4000);
  assert.equal(backoffDelay(3, policy, () => 0.5), 2500);
  assert.equal(backoffDelay(20, policy, () => 1), 60_000);
  for (let i = 0; i < 100; i++) {
    const d = backoffDelay(4, policy);
    assert.ok(d >= 1000 && d <= 8000, String(d));
  }
});

test('backoff: the database retry goes 250 ms, 500 ms … up to 5 s', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, DATABASE_RETRY)), [250, 500, 1000, 2000, 4000, 5000, 5000]);
});
