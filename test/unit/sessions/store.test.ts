import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Batcher } from '../../../lib/sessions/store/batcher';
import { DIALECTS, SqlBuilder, isSenderSession, senderSessionPatterns } from '../../../lib/sessions/store/sql';

/** A manual scheduler: flushes run only when the test says so. */
function manual() {
  const due: (() => void)[] = [];
  return { schedule: (fn: () => void) => void due.push(fn), tick: () => due.splice(0).forEach((fn) => fn()) };
}
const settle = () => new Promise((r) => setImmediate(r));

test('batcher: what arrives before the tick runs as one batch, and each caller waits for its batch', async () => {
  const clock = manual();
  const runs: number[][] = [];
  let commit!: () => void;
  const b = new Batcher<number, string>(
    async (items) => {
      runs.push(items);
      await new Promise<void>((r) => (commit = r));
      return items.map((i) => `done ${i}`);
    },
    { schedule: clock.schedule },
  );
  const settled: string[] = [];
  const calls = [1, 2, 3].map((i) => b.add(i).then((v) => void settled.push(v)));
  await settle();
  assert.deepEqual(runs, [], 'nothing runs before the tick');
  clock.tick();
  await settle();
  assert.deepEqual(runs, [[1, 2, 3]]);
  assert.equal(settled.length, 0, 'no caller resolves before the commit');
  const later = b.add(4).then((v) => void settled.push(v));
  clock.tick();
  await settle();
  assert.deepEqual(runs, [[1, 2, 3]], 'concurrency 1: the next batch waits for the commit');
  commit();
  await Promise.all(calls);
  assert.deepEqual(settled, ['done 1', 'done 2', 'done 3']);
  clock.tick();
  await settle();
  assert.deepEqual(runs, [[1, 2, 3], [4]], 'what arrived meanwhile is the next batch');
  commit();
  await later;
  assert.equal(b.batches, 2);
});

test('batcher: maxItems and maxWeight split a burst', async () => {
  const clock = manual();
  const runs: number[][] = [];
  const b = new Batcher<number, number>(async (items) => (runs.push(items), items), { schedule: clock.schedule, maxItems: 3, maxWeight: 10, weight: (i) => i as number, concurrency: 5 });
  const all = Promise.all([1, 1, 1, 1, 9, 2].map((i) => b.add(i)));
  clock.tick();
  await all;
  assert.deepEqual(runs, [[1, 1, 1], [1, 9], [2]]);
});

test('batcher: one bad item fails alone (the batch is retried item by item)', async () => {
  const clock = manual();
  const runs: number[][] = [];
  const b = new Batcher<number, number>(
    async (items) => {
      runs.push(items);
      if (items.includes(13)) throw new Error('refused 13');
      return items.map((i) => i * 10);
    },
    { schedule: clock.schedule },
  );
  const results = Promise.allSettled([1, 13, 2].map((i) => b.add(i)));
  clock.tick();
  const [a, bad, c] = await results;
  assert.deepEqual([a, c], [{ status: 'fulfilled', value: 10 }, { status: 'fulfilled', value: 20 }]);
  assert.equal(bad.status, 'rejected');
  assert.match(String((bad as PromiseRejectedResult).reason), /refused 13/);
  assert.deepEqual(runs, [[1, 13, 2], [1], [13], [2]]);
});

test('batcher: a batch that fails for a reason retrying cannot fix fails as a whole, without retries', async () => {
  const clock = manual();
  let runs = 0;
  const b = new Batcher<number, number>(
    async () => {
      runs++;
      throw new Error('unreachable');
    },
    { schedule: clock.schedule, retryItems: (err) => !/unreachable/.test(String(err)) },
  );
  const results = Promise.allSettled([1, 2, 3].map((i) => b.add(i)));
  clock.tick();
  assert.deepEqual((await results).map((r) => r.status), ['rejected', 'rejected', 'rejected']);
  assert.equal(runs, 1);
});

test('batcher: a lone failing item is not retried', async () => {
  let runs = 0;
  const b = new Batcher<number, number>(async () => {
    runs++;
    throw new Error('down');
  });
  await assert.rejects(b.add(1), /down/);
  assert.equal(runs, 1);
});

test('sender sessions: both the phone-number form and Baileys 7 LID/hosted forms, never another user', () => {
  const user = '15550001111';
  for (const id of ['15550001111.0', '15550001111.12', '15550001111_1.0', '15550001111_1.2', '15550001111_128.3']) assert.ok(isSenderSession(id, user), id);
  for (const id of ['155500011112.0', '1555000111.0', '15550001111_x', '15550001111', '15550001111_1', 'x15550001111.0', '15550001111.0.1']) assert.ok(!isSenderSession(id, user), id);
  assert.deepEqual(senderSessionPatterns(user), ['15550001111.%', '15550001111\\_%.%']);
  assert.deepEqual(senderSessionPatterns('a_b%'), ['a\\_b\\%.%', 'a\\_b\\%\\_%.%'], 'LIKE wildcards in the user are literal');
});

test('sql: parameters per dialect, updatedAt set by the store, many rows in one statement', () => {
  const pg = new SqlBuilder(DIALECTS.postgresql);
  const lite = new SqlBuilder(DIALECTS.sqlite);
  const [up] = pg.upsertKeys([
    { phoneId: 1, type: 'session', keyId: 'a.0', data: '1' },
    { phoneId: 2, type: 'tctoken', keyId: 'b', data: '2' },
  ]);
  assert.match(up.sql, /VALUES \(\$1, \$2, \$3, \$4, \$5\), \(\$6, \$7, \$8, \$9, \$10\)/);
  assert.equal(up.params.length, 10);
  assert.ok(up.params[4] instanceof Date, 'updatedAt');
  const state = lite.phoneState(5, { status: 'open' });
  assert.match(state.sql, /"updatedAt" = \?/);
  assert.ok(!state.sql.includes('$'));
  assert.equal(pg.upsertKeys(Array.from({ length: 1200 }, (_, i) => ({ phoneId: 1, type: 't', keyId: String(i), data: '' }))).length, 3, 'chunked below the parameter limits');
});
