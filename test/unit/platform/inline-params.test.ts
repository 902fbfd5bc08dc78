// lib/db/raw.ts inlineParams: a statement's `$n` written in as the literals node-postgres would
// send, so several statements can go in one simple query (the fenced store's writes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inlineParams } from '../../../lib/db/raw';

test('each $n becomes its quoted literal: $10 is not $1 followed by 0', () => {
  const params = Array.from({ length: 10 }, (_, i) => `v${i + 1}`);
  assert.equal(inlineParams('SELECT $1, $10, $2', params), "SELECT 'v1', 'v10', 'v2'");
});

test('values are escaped as pg would send them: quotes, backslashes, null, numbers, dates, arrays, JSON, bytes', () => {
  assert.equal(inlineParams('VALUES ($1)', ["it's"]), "VALUES ('it''s')");
  // pg's escapeLiteral writes a backslash doubled in an E'' string (with a space before it)
  assert.equal(inlineParams('VALUES ($1)', ['a\\b']), "VALUES ( E'a\\\\b')");
  assert.equal(inlineParams('VALUES ($1, $2)', [null, undefined]), 'VALUES (NULL, NULL)');
  assert.equal(inlineParams('CAST($1 AS INTEGER)', [42]), "CAST('42' AS INTEGER)");
  assert.equal(inlineParams('$1', [new Date('2026-12-07T10:00:00.000Z')]), "'2026-12-07T10:00:00.000Z'");
  assert.equal(inlineParams('$1::int[]', [[1, 2, 3]]), "'{\"1\",\"2\",\"3\"}'::int[]");
  assert.equal(inlineParams('$1', [{ a: "x'y" }]), `'{"a":"x''y"}'`);
  assert.equal(inlineParams('$1', [Buffer.from([0xde, 0xad])]), " E'\\\\xdead'");
  assert.equal(inlineParams('$1', [true]), "'true'");
});

test('a $n inside a quoted literal or identifier stays as written', () => {
  assert.equal(inlineParams(`SELECT '$1 isn''t $2', "col$1" FROM t WHERE a = $1`, ['x']), `SELECT '$1 isn''t $2', "col$1" FROM t WHERE a = 'x'`);
});

test('a reference past the parameters is an error, not a silent NULL', () => {
  assert.throws(() => inlineParams('SELECT $2', ['only one']), /\$2 of 1 parameters/);
});
