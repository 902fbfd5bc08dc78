// lib/db/raw.ts inlineAtomic on a real PostgreSQL: several statements in one simple query store
// exactly what the same statements with parameters store (quotes, backslashes, Unicode, bytes,
// big numbers, NULL), and one failing statement rolls back those before it and leaves the pooled
// connections clean (the fenced store's writes rely on both).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase } from '../../support/databases';
import { pgPool } from '../../../lib/db/client';
import { inlineAtomic, pgArgs } from '../../../lib/db/raw';

test('postgresql: inlined statements store what parameters store; a failure rolls all back', async (t) => {
  const tdb = await createTestDatabase('postgresql');
  t.after(() => tdb.drop());
  const pool = (await pgPool(tdb.db))!;
  assert.ok(pool, 'the pg pool under Prisma');
  await pool.query('CREATE TABLE "InlineProbe" (id INTEGER PRIMARY KEY, t TEXT, b BYTEA, n BIGINT, at TIMESTAMP(3), j JSONB)');
  const insert = (id: number, v: unknown[]) => ({ sql: 'INSERT INTO "InlineProbe" (id, t, b, n, at, j) VALUES (CAST($1 AS INTEGER), $2, $3, $4, $5, $6)', params: [id, ...v] });
  const values = [`it's a \\ back'slash "quoted" $1 ; DROP TABLE x; -- ünïcödé 🚀`, Buffer.from([0, 1, 0x27, 0x5c, 255]), 9007199254740991, new Date('2026-12-07T10:11:12.345Z'), { key: "va'l\\ue", list: [1, 'two'] }];

  await pool.query(insert(1, values).sql, pgArgs(insert(1, values).params));
  const counts = await inlineAtomic(pool, [insert(2, values), insert(3, [null, null, null, null, null]), { sql: 'UPDATE "InlineProbe" SET n = n + CAST($1 AS BIGINT) WHERE id IN (1, 2)', params: [0] }]);
  assert.deepEqual(counts, [1, 1, 2], 'each statement row count, in order');
  const rows = (await pool.query('SELECT id, t, encode(b, \'hex\') AS b, n::text AS n, at::text AS at, j::text AS j FROM "InlineProbe" ORDER BY id')).rows;
  assert.deepEqual({ ...rows[1], id: 1 }, rows[0], 'inlined values read back exactly as the parameterized ones');
  assert.deepEqual(rows[2], { id: 3, t: null, b: null, n: null, at: null, j: null });

  // Statement 2 of 3 fails (a duplicate key): the first is rolled back too, nothing after runs.
  await assert.rejects(inlineAtomic(pool, [insert(4, values), insert(1, values), insert(5, values)]), /duplicate key/);
  const ids = (await pool.query('SELECT id FROM "InlineProbe" ORDER BY id')).rows.map((r) => r.id);
  assert.deepEqual(ids, [1, 2, 3], 'the failed batch left nothing');
  // Every pooled connection is clean afterwards (not inside an aborted transaction).
  const states = await Promise.all(Array.from({ length: 8 }, () => pool.query('SELECT 1 AS ok')));
  assert.ok(states.every((r) => r.rows[0].ok === 1));
});
