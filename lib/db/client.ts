// The Prisma client, chosen by DATABASE_URL: `file:` → SQLite (libsql adapter),
// `postgresql://` → PostgreSQL (pg adapter). Both generated clients come from the same models
// (prisma/models.prisma), so they share one type; we expose the SQLite client's type as `Db`.
import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { PrismaClient as SqliteClient } from './generated/sqlite/client';
import { PrismaClient as PostgresClient } from './generated/postgres/client';
import { getConfig, type Config } from '../config';
import { sqliteFileUrl } from '../../prisma/database-url';
import { providerOf } from './provider';
import { ConfiguredLibSQL, type SqliteDirect } from './sqlite-adapter';
import { secureSqliteFile } from './sqlite-files';

export type Db = SqliteClient;
export { providerOf, type DbProvider } from './provider';

const sqliteAdapters = new WeakMap<Db, ConfiguredLibSQL>();

/** The SQLite client under a Prisma client, for the session store's statements (null on PostgreSQL). */
export async function sqliteDirect(db: Db): Promise<SqliteDirect | null> {
  const adapter = sqliteAdapters.get(db);
  if (!adapter) return null;
  if (!adapter.direct()) await db.$connect();
  return adapter.direct();
}

/** PrismaPg that keeps the pg pool of its latest connection within reach (lib/db/raw.ts runs hot reads on it). */
class PoolKeepingPg extends PrismaPg {
  pool: pg.Pool | null = null;
  override async connect() {
    const adapter = await super.connect();
    const driver = (adapter as { underlyingDriver?: () => unknown }).underlyingDriver?.();
    this.pool = driver && typeof (driver as pg.Pool).query === 'function' ? (driver as pg.Pool) : null;
    return adapter;
  }
}

const pgAdapters = new WeakMap<Db, PoolKeepingPg>();

/** The pg pool under a PostgreSQL Prisma client (null on SQLite, or if the adapter's shape is not what we expect). */
export async function pgPool(db: Db): Promise<pg.Pool | null> {
  const adapter = pgAdapters.get(db);
  if (!adapter) return null;
  if (!adapter.pool) await db.$connect();
  return adapter.pool;
}

/** Bounds on the waits of this process's PostgreSQL sessions (issue 22.1: a stuck transaction holds no lock for long). */
export interface PgSessionLimits {
  /** lock_timeout: the longest a statement waits for a row lock */
  lockTimeoutMs: number;
  /** idle_in_transaction_session_timeout: the server ends a session left idle inside a transaction (its locks go with it) */
  idleInTransactionMs: number;
  /** TCP keep-alive's first probe after this idle time */
  keepAliveMs: number;
}

export function pgSessionLimits(config: Config = getConfig()): PgSessionLimits {
  return {
    lockTimeoutMs: config.DB_LOCK_TIMEOUT_MS,
    // Below the lease: a node stopped mid-write loses its locks before a survivor must claim.
    idleInTransactionMs: config.DB_IDLE_IN_TRANSACTION_MS ?? Math.floor(config.LEASE_TTL_MS / 2),
    keepAliveMs: config.DB_TCP_KEEPALIVE_MS,
  };
}

/** The node-postgres options that apply the limits (sent as session parameters at connect). */
export function pgConnectionOptions(limits: PgSessionLimits) {
  return {
    keepAlive: true,
    keepAliveInitialDelayMillis: limits.keepAliveMs,
    lock_timeout: limits.lockTimeoutMs,
    idle_in_transaction_session_timeout: limits.idleInTransactionMs,
  };
}

export function createDb(url: string = getConfig().DATABASE_URL, limits?: PgSessionLimits): Db {
  if (providerOf(url) === 'sqlite') {
    secureSqliteFile(url); // 0600 file in a 0700 folder, before libsql creates it
    const adapter = new ConfiguredLibSQL({ url: sqliteFileUrl(url) });
    const db = new SqliteClient({ adapter });
    sqliteAdapters.set(db, adapter);
    return db;
  }
  const adapter = new PoolKeepingPg({ connectionString: url, max: 10, ...pgConnectionOptions(limits ?? pgSessionLimits()) });
  const client = new PostgresClient({ adapter }) as unknown as Db;
  pgAdapters.set(client, adapter);
  return client;
}

const holder = globalThis as unknown as { __consoleDb?: Db };

/** The process-wide client (survives dev hot reloads and is shared by every route bundle). */
export function getDb(): Db {
  holder.__consoleDb ??= createDb();
  return holder.__consoleDb;
}

/** For tests: replace or drop the process-wide client. */
export async function setDb(db: Db | undefined): Promise<void> {
  if (holder.__consoleDb && holder.__consoleDb !== db) await holder.__consoleDb.$disconnect();
  holder.__consoleDb = db;
}
