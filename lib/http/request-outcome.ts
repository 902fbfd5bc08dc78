// What a request's handling learned that the HTTP edge needs to answer correctly: today, that a
// page failed because the database is unreachable (the edge then answers 503, not 500; issue
// 21.6). The HTTP edge (lib/http/edge.ts) runs each request inside runRequest(); server
// components mark the outcome. One AsyncLocalStorage per process (on globalThis: the edge is
// loaded by scripts/server.ts, the pages by Next's bundles; both must see the same store).
import { AsyncLocalStorage } from 'node:async_hooks';
import { isDatabaseUnavailable } from '../db/unavailable';

export interface RequestOutcome {
  databaseUnavailable: boolean;
}

const KEY = Symbol.for('wa-console.request-outcome');
const holder = globalThis as unknown as { [KEY]?: AsyncLocalStorage<RequestOutcome> };
const store = (holder[KEY] ??= new AsyncLocalStorage<RequestOutcome>());

export function runRequest<T>(outcome: RequestOutcome, fn: () => T): T {
  return store.run(outcome, fn);
}

/** For pages: await their data; a database outage is noted for the edge, then rethrown (the error page renders). */
export async function pageData<T>(data: Promise<T>): Promise<T> {
  try {
    return await data;
  } catch (err) {
    if (isDatabaseUnavailable(err)) {
      const outcome = store.getStore();
      if (outcome) outcome.databaseUnavailable = true;
    }
    throw err;
  }
}
