// Per-request facts that NextAuth's authorize() learns and the NextAuth route wrapper
// (lib/auth/nextauth-route.ts) answers with: a throttled sign-in is a 429 with Retry-After.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface SignInContext {
  throttledForSeconds?: number;
  /** An unexpected error inside authorize() (e.g. the database is down), answered by toResponse. */
  failure?: unknown;
}

const holder = globalThis as unknown as { __signInContext?: AsyncLocalStorage<SignInContext> };
export const signInContext = (holder.__signInContext ??= new AsyncLocalStorage<SignInContext>());
