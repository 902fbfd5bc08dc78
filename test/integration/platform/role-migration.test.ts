// The session-version / role-check migration on a database that already holds data: rows, ids,
// the AUTOINCREMENT counter, the unique email index and the ApiToken links survive (SQLite rebuilds
// the table), unknown roles are mapped to the least privilege and their sessions ended, and the
// constraint holds afterwards. The migration files are applied in order as the runner does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient } from '@libsql/client';
import pg from 'pg';
import { PG_ADMIN_URL, testProviders } from '../../support/databases';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const MIGRATION = '20261125110000_user_session_version_role_check';

/** The provider's migration SQL files up to and including `last`, in order. */
function migrations(provider: 'sqlite' | 'postgres', last: string): { name: string; sql: string }[] {
  const dir = path.join(ROOT, 'prisma', provider, 'migrations');
  return fs
    .readdirSync(dir)
    .filter((n) => fs.existsSync(path.join(dir, n, 'migration.sql')) && n <= last)
    .sort()
    .map((name) => ({ name, sql: fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8') }));
}

const SEED = [
  `INSERT INTO "User" ("email", "passwordHash", "role") VALUES ('a@x', 'h', 'admin'), ('b@x', 'h', 'Viewer'), ('c@x', 'h', 'disabled'), ('d@x', 'h', ' Admin'), ('e@x', 'h', 'viewer'), ('gone@x', 'h', 'admin')`,
  `DELETE FROM "User" WHERE "email" = 'gone@x'`,
  `INSERT INTO "ApiToken" ("name", "tokenHash", "prefix", "scopes", "createdById") VALUES ('t', 'hash', 'wac_ab', 'admin', 2)`,
];
const EXPECTED = [
  { id: 1, email: 'a@x', role: 'admin', sessionVersion: 0 },
  { id: 2, email: 'b@x', role: 'viewer', sessionVersion: 1 },
  { id: 3, email: 'c@x', role: 'viewer', sessionVersion: 1 },
  { id: 4, email: 'd@x', role: 'admin', sessionVersion: 1 },
  { id: 5, email: 'e@x', role: 'viewer', sessionVersion: 0 },
];

for (const provider of testProviders()) {
  test(`${provider}: the role-check migration keeps existing data`, async (t) => {
    const all = migrations(provider === 'sqlite' ? 'sqlite' : 'postgres', MIGRATION);
    assert.equal(all.at(-1)?.name, MIGRATION);
    const before = all.slice(0, -1);
    const target = all.at(-1)!;
    let query: (sql: string) => Promise<Record<string, unknown>[]>;
    let exec: (sql: string) => Promise<void>;
    if (provider === 'sqlite') {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-console-mig-'));
      const client = createClient({ url: `file:${path.join(dir, 'm.db')}` });
      t.after(() => {
        client.close();
        fs.rmSync(dir, { recursive: true, force: true });
      });
      query = async (sql) => (await client.execute(sql)).rows.map((r) => ({ ...r }));
      exec = (sql) => client.executeMultiple(sql);
    } else {
      const name = `wa_console_mig_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
      const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
      await admin.connect();
      await admin.query(`CREATE DATABASE "${name}"`);
      await admin.end();
      const url = new URL(PG_ADMIN_URL);
      url.pathname = `/${name}`;
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      t.after(async () => {
        await client.end();
        const c = new pg.Client({ connectionString: PG_ADMIN_URL });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await c.end();
      });
      query = async (sql) => (await client.query(sql)).rows;
      exec = async (sql) => void (await client.query(sql));
    }
    for (const m of before) await exec(m.sql);
    for (const s of SEED) await exec(s);
    await exec(target.sql);

    const users = await query(`SELECT "id", "email", "role", "sessionVersion" FROM "User" ORDER BY "id"`);
    assert.deepEqual(users.map((u) => ({ ...u, id: Number(u.id), sessionVersion: Number(u.sessionVersion) })), EXPECTED);
    const tokens = await query(`SELECT "createdById" FROM "ApiToken"`);
    assert.deepEqual(tokens.map((r) => Number(r.createdById)), [2], 'the token still points at its creator');
    await assert.rejects(exec(`INSERT INTO "User" ("email", "passwordHash", "role") VALUES ('z@x', 'h', 'readonly')`), /check/i);
    await assert.rejects(exec(`INSERT INTO "User" ("email", "passwordHash", "role") VALUES ('a@x', 'h', 'admin')`), /unique/i, 'the email index is back');
    await exec(`INSERT INTO "User" ("email", "passwordHash") VALUES ('new@x', 'h')`);
    const created = await query(`SELECT "id", "role", "sessionVersion" FROM "User" WHERE "email" = 'new@x'`);
    assert.deepEqual(created.map((r) => [r.role, Number(r.sessionVersion)]), [['admin', 0]]);
    // PostgreSQL's sequence also moved on for the refused inserts; SQLite's counter did not.
    assert.ok(Number(created[0].id) >= 7, `a deleted user's id (6) is never handed out again: got ${created[0].id}`);
    if (provider === 'sqlite') {
      assert.deepEqual(await query('PRAGMA foreign_key_check'), []);
      // Deleting a user still sets its tokens' creator to NULL (the foreign key survived the rebuild).
      await exec('PRAGMA foreign_keys=ON');
      await exec(`DELETE FROM "User" WHERE "id" = 2`);
      assert.deepEqual((await query(`SELECT "createdById" FROM "ApiToken"`)).map((r) => r.createdById), [null]);
    }
  });
}
