// Real databases for tests: a fresh SQLite file, or a fresh PostgreSQL database per test run
// (named with the pid and a random suffix so concurrent runs never collide), migrated with
// `prisma migrate deploy`, and dropped afterwards.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createDb, type Db, type DbProvider } from '../../lib/db/client';
import { migrateDeploy } from '../../lib/db/migrate';

export const PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  provider: DbProvider;
  url: string;
  db: Db;
  drop(): Promise<void>;
}

/** Which providers the integration tests run on (TEST_DB=sqlite|postgresql limits it). */
export function testProviders(): DbProvider[] {
  const only = process.env.TEST_DB;
  if (only === 'sqlite' || only === 'postgresql') return [only];
  return ['sqlite', 'postgresql'];
}

/** `adminUrl`: another PostgreSQL server (e.g. test/support/own-postgres.ts) than the shared one. */
export async function createTestDatabase(provider: DbProvider, adminUrl: string = PG_ADMIN_URL): Promise<TestDatabase> {
  if (provider === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-console-test-'));
    return migrated(provider, `file:${path.join(dir, 'test.db')}`, async () => fs.rmSync(dir, { recursive: true, force: true }));
  }
  const name = `wa_console_test_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  await onAdmin(adminUrl, `CREATE DATABASE "${name}"`);
  const base = new URL(adminUrl);
  base.pathname = `/${name}`;
  return migrated(provider, base.toString(), () => onAdmin(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/** Migrates the new database at `url` and opens it; `remove` runs after its client disconnects. */
async function migrated(provider: DbProvider, url: string, remove: () => Promise<void>): Promise<TestDatabase> {
  await migrateDeploy(url);
  const db = createDb(url);
  return {
    provider,
    url,
    db,
    async drop() {
      await db.$disconnect();
      await remove();
    },
  };
}

async function onAdmin(adminUrl: string, statement: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(statement);
  } finally {
    await c.end();
  }
}
