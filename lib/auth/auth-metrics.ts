// Counters of refused credentials (issue 21.4), exported by /api/metrics (lib/metrics registers
// them). One instance per process, kept on globalThis (every route bundle shares it).
import type client from 'prom-client';
import { processCounter } from '../metrics/process-counter';

const TOKEN_FAILURES = ['invalid', 'throttled'] as const;

/** wa_auth_token_failures_total{result}: bearer tokens refused as invalid/revoked, and checks refused by the per-address throttle. */
export const tokenFailures = (): client.Counter<'result'> =>
  processCounter(
    'wa_auth_token_failures_total',
    'Bearer token checks refused: invalid or revoked token (invalid), or too many invalid ones from the address (throttled)',
    'result',
    TOKEN_FAILURES,
  );
