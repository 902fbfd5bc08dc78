// The Prisma client, chosen by DATABASE_URL: `file:` → SQLite (libsql adapter),
// `postgresql://` → PostgreSQL (pg adapter). Both generated clients come from the same models
// (prisma/models.prisma), so they share one type; we expose the SQLite client's type as `Db`.
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient as SqliteClient } from './generated/sqlite/client';
import { PrismaClient as PostgresClient } from './generated/postgres/client';
import { getConfig } from '../config';
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

export function createDb(url: string = getConfig().DATABASE_URL): Db {
  if (providerOf(url) === 'sqlite') {
    secureSqliteFile(url); // 0600 file in a 0700 folder, before libsql creates it
    const adapter = new ConfiguredLibSQL({ url: sqliteFileUrl(url) });
    const db = new SqliteClient({ adapter });
    sqliteAdapters.set(db, adapter);
    return db;
  }
  const client = new PostgresClient({ adapter: new PrismaPg({ connectionString: url, max: 10 }) });
  return client as unknown as Db;
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
