// The one exponential backoff: reconnecting a phone, waiting for the database (the session's
// credentials and its outbox). (Webhook redeliveries follow their own schedule, growing with the
// receiver's outage rather than per attempt: lib/webhooks/retry.ts.) Exponential from `baseMs`, capped at
// `maxMs`; with `jitter: 'full'` the delay is random in [base, ceiling] so that many phones dropped
// together do not come back together.

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  /** 'full': uniformly random in [baseMs, ceiling]; none: exactly the ceiling. */
  jitter?: 'full';
}

/** The database retry of a session (credentials, outbox, reconnect after an outage): 250 ms doubling to 5 s. */
export const DATABASE_RETRY: BackoffPolicy = { baseMs: 250, maxMs: 5000 };

/** The delay before retry number `attempt` (1 = the first retry): min(max, base·2^(attempt-1)), jittered if asked. */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(0, Math.floor(attempt) - 1), 40);
  const ceiling = Math.max(policy.baseMs, Math.min(policy.maxMs, policy.baseMs * 2 ** exponent));
  if (policy.jitter !== 'full') return ceiling;
  return Math.round(policy.baseMs + random() * (ceiling - policy.baseMs));
}
