// The webhook retry schedule (issue 21.8): a day of outage covered by the defaults even with the
// worst jitter; gaps that grow with the outage and stay close to its end; jitter that spreads
// deliveries that failed together; what counts as "the receiver is unavailable".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { givesUp, nextRetryDelay, receiverUnavailable, worstCaseRetryWindowMs } from '../../../lib/webhooks/retry';
import { parseConfig } from '../../../lib/config';

const defaults = () => {
  const c = parseConfig({});
  return { minDelayMs: c.WEBHOOK_RETRY_BASE_MS, maxDelayMs: c.WEBHOOK_RETRY_MAX_MS, maxAttempts: c.WEBHOOK_MAX_ATTEMPTS, retryForMs: c.WEBHOOK_RETRY_FOR_MS };
};

test('the default settings keep retrying a receiver that is down for a day, and stop after it', () => {
  const policy = defaults();
  const window = worstCaseRetryWindowMs(policy);
  assert.ok(window >= 24 * 3600_000, `retried for ${(window / 3600_000).toFixed(1)} h`);
  assert.ok(window < 26 * 3600_000, `gives up within a gap of the day (${(window / 3600_000).toFixed(1)} h)`);
  let attempts = 0;
  for (let failingFor = 0; !givesUp(attempts + 1, failingFor, policy); attempts++) failingFor += nextRetryDelay(failingFor, policy, () => 0.5);
  assert.ok(attempts < 400, `${attempts} attempts in a day-long outage`);
});

test('the gap is a twentieth of the outage, between the minimum and the maximum', () => {
  const policy = { minDelayMs: 1000, maxDelayMs: 3600_000 };
  assert.equal(nextRetryDelay(0, policy, () => 0), 1000);
  assert.equal(nextRetryDelay(60_000, policy, () => 0), 3000, 'a 60 s outage: the next attempt at most 3 s after it ends');
  assert.equal(nextRetryDelay(3600_000, policy, () => 0), 180_000);
  assert.equal(nextRetryDelay(48 * 3600_000, policy, () => 0), 3600_000, 'never more than the maximum');
});

test('jitter spreads deliveries that failed together over the last fifth of the gap', () => {
  const policy = { minDelayMs: 1000, maxDelayMs: 3600_000 };
  const delays = Array.from({ length: 50 }, () => nextRetryDelay(600_000, policy));
  assert.ok(new Set(delays).size > 10, 'not all at once');
  assert.ok(delays.every((d) => d > 0.8 * 30_000 - 1 && d <= 30_000), JSON.stringify(delays.slice(0, 5)));
  assert.equal(nextRetryDelay(0, policy, () => 1), 1000, 'never below the minimum');
});

test('a count limit and a time limit, whichever comes first', () => {
  assert.equal(givesUp(3, 10, { maxAttempts: 3, retryForMs: 1000 }), true);
  assert.equal(givesUp(2, 10, { maxAttempts: 3, retryForMs: 1000 }), false);
  assert.equal(givesUp(2, 1000, { maxAttempts: 3, retryForMs: 1000 }), true);
});

test('no answer, timeouts, 5xx, 408 and 429 mean the receiver is unavailable; other answers refuse one delivery', () => {
  for (const code of [null, 500, 502, 503, 504, 408, 429]) assert.equal(receiverUnavailable(code), true, String(code));
  for (const code of [301, 400, 401, 403, 404, 410, 422]) assert.equal(receiverUnavailable(code), false, String(code));
});
