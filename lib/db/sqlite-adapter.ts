// The libsql adapter with our connection settings on every connection. @libsql/client hands its
// connection to each transaction and opens a fresh one for whatever comes next, so settings made
// once (per-connection PRAGMAs) would silently vanish after the first transaction. This wrapper
// re-applies them whenever the client is about to use a connection it has not configured yet.
import { PrismaLibSQL } from '@prisma/adapter-libsql';
import type { Client, Config } from '@libsql/client';

// busy_timeout: other processes (the token CLI, tests, a second console) may hold the write lock
// for a moment; wait for it instead of failing. WAL lets readers work while one process writes.
// synchronous=NORMAL in WAL mode still survives a process crash (kill -9); only a power loss can
// drop the last commits. It saves an fsync per commit, which the auth-state writes feel.
export const SQLITE_CONNECTION_PRAGMAS = ['PRAGMA busy_timeout = 10000', 'PRAGMA journal_mode = WAL', 'PRAGMA synchronous = NORMAL'];

const USES_CONNECTION = new Set(['execute', 'batch', 'executeMultiple', 'migrate', 'transaction']);

export function withConnectionPragmas(client: Client, pragmas: string[] = SQLITE_CONNECTION_PRAGMAS): Client {
  let configured = false;
  const configure = async () => {
    if (configured) return;
    for (const pragma of pragmas) await client.execute(pragma);
    configured = true;
  };
  return new Proxy(client, {
    get(target, prop) {
      // The client keeps its state in #private fields: always call it as itself, not the proxy.
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (typeof prop !== 'string' || !USES_CONNECTION.has(prop)) return value.bind(target);
      return async (...args: unknown[]) => {
        await configure();
        const result = await value.apply(target, args);
        // The connection now belongs to the transaction; the next call gets a new one.
        if (prop === 'transaction') configured = false;
        return result;
      };
    },
  });
}

export class ConfiguredLibSQL extends PrismaLibSQL {
  override createClient(config: Config): Client {
    return withConnectionPragmas(super.createClient(config));
  }
}
