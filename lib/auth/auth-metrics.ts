// Counters of refused credentials (issue 21.4), exported by /api/metrics (lib/metrics.ts registers
// them). One instance per process, kept on globalThis (every route bundle shares it).
import client from 'prom-client';

export type TokenFailure = 'invalid' | 'throttled';

const holder = globalThis as unknown as { __tokenFailures?: client.Counter<'result'> };

/** wa_auth_token_failures_total{result}: bearer tokens refused as invalid/revoked, and checks refused by the per-address throttle. */
export function tokenFailures(): client.Counter<'result'> {
  if (holder.__tokenFailures) return holder.__tokenFailures;
  const counter = new client.Counter({
    name: 'wa_auth_token_failures_total',
    help: 'Bearer token checks refused: invalid or revoked token (invalid), or too many invalid ones from the address (throttled)',
    labelNames: ['result'],
    registers: [],
  });
  for (const result of ['invalid', 'throttled'] as const) counter.inc({ result }, 0);
  holder.__tokenFailures = counter;
  return counter;
}
