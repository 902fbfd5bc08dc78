// Issue 11, item 10: the SQLite database (every Signal private key, the password hashes) is
// created readable by its owner only: file 0600 (its -wal/-shm too) in a folder 0700.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrateDeploy } from '../../../lib/db/migrate';
import { createDb } from '../../../lib/db/client';

const mode = (p: string) => fs.statSync(p).mode & 0o777;

test('SQLite: folder 0700, database file and its journal files 0600', async (t) => {
  const previous = process.umask(0o022); // the usual umask, which would give 0755/0644
  t.after(() => process.umask(previous));
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-console-modes-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const dir = path.join(root, 'data');
  const file = path.join(dir, 'console.db');
  const url = `file:${file}`;

  await migrateDeploy(url);
  assert.equal(mode(dir).toString(8), '700', 'the folder the console created');
  assert.equal(mode(file).toString(8), '600', 'the database file');

  const db = createDb(url);
  t.after(() => db.$disconnect());
  await db.organization.create({ data: { name: 'Modes' } });
  // The connection runs in WAL mode (lib/db/sqlite-adapter.ts): after a write, while it is open,
  // the -wal and -shm files exist, so their modes are checked, not skipped.
  for (const extra of ['-wal', '-shm']) {
    assert.ok(fs.existsSync(file + extra), `${extra} exists while the connection is open`);
    assert.equal(mode(file + extra).toString(8), '600', extra);
  }
  // WAL mode has no rollback journal; should one ever appear, it must be private too.
  if (fs.existsSync(`${file}-journal`)) assert.equal(mode(`${file}-journal`).toString(8), '600', '-journal');

  // A file made earlier with a looser mode is tightened at the next start.
  await db.$disconnect();
  fs.chmodSync(file, 0o644);
  const again = createDb(url);
  t.after(() => again.$disconnect());
  assert.equal(await again.organization.count(), 1);
  assert.equal(mode(file).toString(8), '600');
});
