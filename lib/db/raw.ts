// Hand-written statements run straight on the driver under Prisma's adapter (issue 28.3): the
// libsql client on SQLite (with the adapter's own lock, so a statement never interleaves with a
// Prisma transaction), the pg pool on PostgreSQL. Prisma 6.19's client engine compiles every query
// anew, raw ones included; the hot reads (a phone, a list page, a phone's traffic) skip that.
// Values come back as the driver gives them; `asDate` and `asNumber` read them the same on both.
import pg from 'pg';
import { pgPool, sqliteDirect, type Db } from './client';
import type { DbProvider } from './provider';
import type { SqliteDirect } from './sqlite-adapter';
import type { Statement } from './sql';

/** The provider a Prisma client was generated for. */
export function providerOfDb(db: Db): DbProvider {
  const provider = (db as unknown as { _activeProvider?: string })._activeProvider;
  return provider === 'postgresql' ? 'postgresql' : 'sqlite';
}

/** Parameters as Prisma's libsql adapter writes them (DateTime as ISO 8601 with +00:00), so Prisma reads them back alike. */
export function libsqlArgs(params: unknown[]) {
  return params.map((p) => (p instanceof Date ? p.toISOString().replace('Z', '+00:00') : p)) as (string | number | null)[];
}

/**
 * Parameters for node-postgres. A Date goes as its UTC ISO text: the columns are `timestamp`
 * without a time zone holding UTC (as Prisma writes them), and pg would otherwise send local time.
 */
export function pgArgs(params: unknown[]) {
  return params.map((p) => (p instanceof Date ? p.toISOString() : p));
}

// Timestamps as their text (read by asDate as UTC, whatever the process's zone), int8 (counts) as numbers.
const TIMESTAMP = 1114;
const TIMESTAMPTZ = 1184;
const INT8 = 20;
const NUMERIC = 1700;
const pgTypes = {
  getTypeParser: (oid: number, format?: string) => {
    if (oid === TIMESTAMP || oid === TIMESTAMPTZ) return (v: string) => v;
    if (oid === INT8 || oid === NUMERIC) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

/** The rows of one statement, run on the driver (through Prisma only when the driver is out of reach). */
export async function rawQuery<T>(db: Db, s: Statement): Promise<T[]> {
  const pool = await pgPool(db);
  if (pool) {
    const res = await pool.query({ text: s.sql, values: pgArgs(s.params), types: pgTypes as pg.CustomTypesConfig });
    return res.rows as T[];
  }
  const direct = providerOfDb(db) === 'sqlite' ? await sqliteDirect(db) : null;
  return direct ? directRows<T>(direct, s) : db.$queryRawUnsafe<T[]>(s.sql, ...s.params);
}

/** The rows of one statement on SQLite's libsql client, under the adapter's lock (the session store's reads too). */
export async function directRows<T>(direct: SqliteDirect, s: Statement): Promise<T[]> {
  const release = await direct.lock.acquire();
  try {
    const res = await direct.client.execute({ sql: s.sql, args: libsqlArgs(s.params) });
    return res.rows.map((row) => Object.fromEntries(res.columns.map((c) => [c, row[c]]))) as T[];
  } finally {
    release();
  }
}

/**
 * A stored timestamp as a Date: a Date (through Prisma), ISO text with or without a zone (SQLite:
 * as Prisma writes it; PostgreSQL: `timestamp` text, UTC), or epoch milliseconds.
 */
export function asDate(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v;
  if (typeof v === 'number' || typeof v === 'bigint') return new Date(Number(v));
  const text = String(v).replace(' ', 'T');
  return new Date(/(Z|[+-]\d\d(:?\d\d)?)$/.test(text) ? text : `${text}Z`);
}

/** A count or number as the driver gives it (number, bigint or numeric text). */
export function asNumber(v: unknown): number {
  return typeof v === 'number' ? v : Number(v);
}
