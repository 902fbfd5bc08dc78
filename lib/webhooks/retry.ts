// When a failed webhook delivery is tried again, and when it is given up (issue 21.8). Pure: the
// notifier (lib/webhooks/outbox.ts) supplies the clock and the randomness.
//
// The gap before the next attempt is a twentieth of the time the delivery has been failing,
// between `minDelayMs` and `maxDelayMs`, minus up to a fifth at random so that deliveries that
// failed together do not come back together. Growing with the outage rather than doubling per
// attempt keeps the moment a receiver comes back close: after a 60 s outage the next attempt is at
// most 3 s away, after an hour 3 minutes; it still thins out to one attempt an hour in a long one.

export interface WebhookRetryPolicy {
  /** shortest gap between attempts (WEBHOOK_RETRY_BASE_MS) */
  minDelayMs: number;
  /** longest gap (WEBHOOK_RETRY_MAX_MS) */
  maxDelayMs: number;
  /** attempts per delivery (WEBHOOK_MAX_ATTEMPTS) */
  maxAttempts: number;
  /** how long a delivery keeps being retried once it first failed (WEBHOOK_RETRY_FOR_MS) */
  retryForMs: number;
}

/** The share of the failing time waited before the next attempt. */
export const GAP_SHARE = 1 / 20;
const JITTER_SHARE = 0.2;

/** Milliseconds to wait before the next attempt of a delivery failing for `failingForMs`. */
export function nextRetryDelay(failingForMs: number, policy: Pick<WebhookRetryPolicy, 'minDelayMs' | 'maxDelayMs'>, random: () => number = Math.random): number {
  const gap = Math.min(policy.maxDelayMs, Math.max(policy.minDelayMs, failingForMs * GAP_SHARE));
  return Math.max(policy.minDelayMs, Math.round(gap * (1 - JITTER_SHARE * random())));
}

/** Whether attempt number `attempt` (1 = the first), failing `failingForMs` after the first failure, is the last. */
export function givesUp(attempt: number, failingForMs: number, policy: Pick<WebhookRetryPolicy, 'maxAttempts' | 'retryForMs'>): boolean {
  return attempt >= policy.maxAttempts || failingForMs >= policy.retryForMs;
}

/**
 * Whether a failed attempt says the receiver as a whole is unavailable (no answer, a timeout, a
 * 5xx, 408 or 429) rather than refusing this one delivery (another 4xx, a 3xx). While a receiver is
 * unavailable only its oldest pending delivery is tried; the others wait behind it and are sent,
 * in order, as soon as it gets through.
 */
export function receiverUnavailable(statusCode: number | null): boolean {
  return statusCode === null || statusCode >= UNAVAILABLE_FROM_STATUS || (UNAVAILABLE_STATUSES as readonly number[]).includes(statusCode);
}

/** The answers that mean "unavailable" besides none at all (the outbox queries use them too). */
export const UNAVAILABLE_FROM_STATUS = 500;
export const UNAVAILABLE_STATUSES = [408, 429] as const;

/** The time `policy` keeps retrying a receiver that is down, given the worst jitter: for docs and tests. */
export function worstCaseRetryWindowMs(policy: WebhookRetryPolicy): number {
  let failingFor = 0;
  for (let attempt = 1; attempt < policy.maxAttempts; attempt++) {
    if (givesUp(attempt, failingFor, policy)) return failingFor;
    failingFor += nextRetryDelay(failingFor, policy, () => 1);
  }
  return failingFor;
}
