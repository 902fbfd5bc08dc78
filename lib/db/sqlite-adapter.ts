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

interface Mutex {
  acquire(): Promise<() => void>;
}

/** The libsql client Prisma's adapter uses, with the adapter's own lock (every Prisma query holds it). */
export interface SqliteDirect {
  client: Client;
  lock: Mutex;
}

export class ConfiguredLibSQL extends PrismaLibSQL {
  private adapter: object | null = null;

  override createClient(config: Config): Client {
    return withConnectionPragmas(super.createClient(config));
  }

  override async connect() {
    const adapter = await super.connect();
    this.adapter = adapter;
    return adapter;
  }

  /**
   * For the session store's hot path: the same client and the same lock as Prisma's queries, so
   * statements run without Prisma's query engine in between (measured: 0.28 ms per key upsert
   * instead of 0.77 ms) and still never interleave with a Prisma transaction. Null until Prisma
   * has connected, or if the adapter's shape is not what we expect.
   */
  direct(): SqliteDirect | null {
    const adapter = this.adapter as (Record<string | symbol, unknown> & { client?: Client }) | null;
    if (!adapter?.client) return null;
    if (this.directOf?.adapter === adapter) return this.directOf.direct;
    const lock = Object.getOwnPropertySymbols(adapter)
      .map((sym) => adapter[sym] as Mutex | undefined)
      .find((v) => typeof v?.acquire === 'function');
    const direct = lock ? { client: adapter.client, lock } : null;
    this.directOf = { adapter, direct };
    return direct;
  }

  private directOf: { adapter: object; direct: SqliteDirect | null } | null = null;
}
