// The one polling helper of the test suite (and the benchmarks that reuse test support).
import { AssertionError } from 'node:assert';

/**
 * The default deadline of every wait in tests: generous for a loaded 2-core machine shared with
 * other work (docs/testing.md, "No timing assumptions"). A wait that needs longer says why.
 */
export const DEFAULT_DEADLINE_MS = 60_000;

type Hit<T> = Exclude<T, undefined | null | false>;

/**
 * Calls `check` every `intervalMs` until it returns a value other than undefined, null or false,
 * and resolves with it. A thrown error counts as "not yet" (a server still starting, a row not yet
 * written) and is quoted in the timeout error, which names `what`; a failed assertion
 * (AssertionError) is final and rejects at once.
 */
export async function eventually<T>(what: string, check: () => T | Promise<T>, timeoutMs = DEFAULT_DEADLINE_MS, intervalMs = 100): Promise<Hit<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== null && value !== false) return value as Hit<T>;
    } catch (err) {
      if (err instanceof AssertionError) throw err;
      last = err;
    }
    if (Date.now() > deadline) {
      const cause = last === undefined ? '' : `; last error: ${last instanceof Error ? last.message : String(last)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Resolves as `promise` does, or rejects naming `what` once `timeoutMs` passed: an await with a deadline. */
export async function within<T>(what: string, promise: Promise<T>, timeoutMs = DEFAULT_DEADLINE_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
