import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, testProviders } from '../../support/databases';
import { addPhone } from '../../support/engine';
import { SqlSessionStore, storeFor } from '../../../lib/sessions/store';
import { providerOfDb } from '../../../lib/db/raw';
import { createDb } from '../../../lib/db/client';
import { startTcpProxy } from '../../support/proxies';
import { eventually } from '../../support/eventually';
import pg from 'pg';

for (const provider of testProviders()) {
  test(`session store on ${provider}: statements that Prisma reads back exactly`, async () => {
    const t = await createTestDatabase(provider);
    try {
      assert.equal(providerOfDb(t.db), provider);
      const store = storeFor(t.db);
      assert.equal(store.provider, provider);
      const phone = await addPhone(t.db, '77990000201@s.whatsapp.net');
      const connectedAt = new Date('2026-11-24T10:11:12.345Z');
      await store.writePhoneState(phone.id, { status: 'open', lastConnectedAt: connectedAt });
      let row = await t.db.organizationPhone.findUniqueOrThrow({ where: { id: phone.id } });
      assert.equal(row.status, 'open');
      assert.equal(row.lastConnectedAt?.toISOString(), connectedAt.toISOString(), 'UTC, to the millisecond');
      assert.ok(row.updatedAt > phone.updatedAt, 'updatedAt moves (the session list cache depends on it)');
      await store.writePhoneState(phone.id, { status: 'closed', lastCloseReason: 'Bad MAC limit reached (3/3)' });
      row = await t.db.organizationPhone.findUniqueOrThrow({ where: { id: phone.id } });
      assert.deepEqual([row.status, row.lastCloseReason, row.lastConnectedAt?.toISOString()], ['closed', 'Bad MAC limit reached (3/3)', connectedAt.toISOString()]);

      const before = Date.now();
      await store.insertEvent({ phoneId: phone.id, type: 'decrypt:bad-mac', sender: '15550001111@s.whatsapp.net', count: 2, message: 'Bad MAC', detail: JSON.stringify({ max: 3 }) });
      await store.insertEvent({ phoneId: phone.id, type: 'state:open', sender: null, count: null, message: null, detail: null });
      const events = await t.db.sessionEvent.findMany({ where: { phoneId: phone.id }, orderBy: { id: 'asc' } });
      assert.deepEqual(events.map((e) => [e.type, e.sender, e.count, e.message, e.detail]), [
        ['decrypt:bad-mac', '15550001111@s.whatsapp.net', 2, 'Bad MAC', '{"max":3}'],
        ['state:open', null, null, null, null],
      ]);
      assert.ok(events.every((e) => Math.abs(e.createdAt.getTime() - before) < 60_000), 'createdAt is now, in UTC');

      await store.saveCreds(phone.id, '{"v":1}');
      await store.saveCreds(phone.id, '{"v":2}');
      assert.equal((await t.db.authCreds.findUniqueOrThrow({ where: { phoneId: phone.id } })).data, '{"v":2}');
      assert.equal(await store.readCreds(phone.id), '{"v":2}');
      assert.equal(await store.readCreds(phone.id + 1000), null);
      assert.equal((store as SqlSessionStore).driver, 'direct', "statements run on the driver under Prisma's adapter (libsql's client under Prisma's lock, the pg pool)");

      // Generic over type and id: Baileys 7's types and LID addresses need nothing special.
      await store.writeKeys(phone.id, {
        upserts: [
          { type: 'lid-mapping', keyId: '15550001111', data: '"99990001111"' },
          { type: 'device-list', keyId: '15550001111', data: '["0","3"]' },
          { type: 'session', keyId: '15550001111.0', data: '"pn"' },
          { type: 'session', keyId: '15550001111_1.3', data: '"lid"' },
          { type: 'session', keyId: '155500011112.0', data: '"other user"' },
          { type: 'session', keyId: '15550001111_x', data: '"not a session id"' },
        ],
        deletes: [],
      });
      const lid = await store.readKeys(phone.id, 'lid-mapping', ['15550001111', 'nobody']);
      assert.deepEqual([...lid], [['15550001111', '"99990001111"']]);
      assert.equal(await store.deleteSenderSessions(phone.id, '15550001111'), 2, 'both address forms of the sender');
      const left = await store.readKeys(phone.id, 'session', ['15550001111.0', '15550001111_1.3', '155500011112.0', '15550001111_x']);
      assert.deepEqual([...left.keys()].sort(), ['155500011112.0', '15550001111_x']);
      await store.clearAuth(phone.id);
      assert.equal(await t.db.authKey.count({ where: { phoneId: phone.id } }), 0);
      assert.equal(await store.readCreds(phone.id), null);
    } finally {
      await t.drop();
    }
  });

  test(`group commit on ${provider}: 60 phones' writes in one tick share a few transactions, one bad write fails alone`, async () => {
    const t = await createTestDatabase(provider);
    try {
      const phones = await Promise.all(Array.from({ length: 60 }, (_, i) => addPhone(t.db, `7799001${String(i).padStart(4, '0')}@s.whatsapp.net`)));
      const store = new SqlSessionStore(t.db, provider);
      const batchesBefore = store.writes.batches;
      const bad = phones[7].id + 100_000; // no such phone: the foreign key refuses its key write
      const results = await Promise.allSettled([
        ...phones.map((p, i) =>
          store.writeKeys(p.id, {
            upserts: [
              { type: 'session', keyId: `1555.${i}`, data: `"s${i}"` },
              { type: 'pre-key', keyId: String(i), data: `"p${i}"` },
            ],
            deletes: [],
          }),
        ),
        ...phones.map((p) => store.writePhoneState(p.id, { status: 'open', lastConnectedAt: new Date() })),
        ...phones.map((p) => store.insertEvent({ phoneId: p.id, type: 'state:open', sender: null, count: null, message: null, detail: null })),
        store.writeKeys(bad, { upserts: [{ type: 'session', keyId: '1.0', data: '"x"' }], deletes: [] }),
      ]);
      const failed = results.filter((r) => r.status === 'rejected');
      assert.equal(failed.length, 1, 'only the bad write fails');
      assert.equal(results.at(-1)!.status, 'rejected', 'and it is the bad one');
      const batches = store.writes.batches - batchesBefore;
      assert.ok(batches <= 4, `181 writes arriving together took ${batches} batches`);
      assert.equal(await t.db.authKey.count(), 120);
      assert.equal(await t.db.organizationPhone.count({ where: { status: 'open' } }), 60);
      assert.equal(await t.db.sessionEvent.count(), 60);

      // Reads of many phones arriving together: one batch, each caller gets its own keys.
      const readsBefore = store.reads.batches;
      const reads = await Promise.all(phones.map((p, i) => store.readKeys(p.id, 'session', [`1555.${i}`, `1555.${i + 1}`])));
      reads.forEach((r, i) => assert.deepEqual([...r], [[`1555.${i}`, `"s${i}"`]]));
      assert.ok(store.reads.batches - readsBefore <= 2, `60 reads took ${store.reads.batches - readsBefore} batches`);

      // Credentials of a mass login: one query for all.
      await Promise.all(phones.map((p) => store.saveCreds(p.id, `{"phone":${p.id}}`)));
      const credsBefore = store.credsReads.batches;
      const creds = await Promise.all([...phones.map((p) => store.readCreds(p.id)), store.readCreds(bad)]);
      assert.deepEqual(creds, [...phones.map((p) => `{"phone":${p.id}}`), null]);
      assert.ok(store.credsReads.batches - credsBefore <= 2);

      // Key changes of one phone twice in a batch (two auth states of one phone) stay in order.
      await Promise.all([
        store.writeKeys(phones[0].id, { upserts: [{ type: 'session', keyId: '1555.0', data: '"first"' }], deletes: [] }),
        store.writeKeys(phones[0].id, { upserts: [], deletes: [{ type: 'session', keyId: '1555.0' }] }),
        store.writeKeys(phones[0].id, { upserts: [{ type: 'session', keyId: '1555.0', data: '"last"' }], deletes: [] }),
      ]);
      assert.deepEqual([...(await store.readKeys(phones[0].id, 'session', ['1555.0']))], [['1555.0', '"last"']]);
    } finally {
      await t.drop();
    }
  });
}

// A connection reset in the middle of a multi-statement write (a database restart, a link cut by
// a firewall): the write fails and the process goes on. pg-pool takes its 'error' listener off a
// client it hands out, so without one of the store's own the reset was an uncaught exception that
// ended the console (seen in CI: "write ECONNRESET", origin uncaughtException).
if (testProviders().includes('postgresql')) {
  test('session store on postgresql: a connection reset inside a transaction fails the write, not the process', async (t) => {
    const tdb = await createTestDatabase('postgresql');
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
    const url = new URL(tdb.url);
    url.port = String(proxy.port);
    const db = createDb(url.toString());
    const holder = new pg.Client({ connectionString: tdb.url });
    t.after(async () => {
      await holder.end().catch(() => {});
      await db.$disconnect().catch(() => {});
      await proxy.close();
      await tdb.drop();
    });
    const phone = await addPhone(tdb.db, '77990000301@s.whatsapp.net');
    const store = storeFor(db);
    await store.saveCreds(phone.id, '{"v":1}');
    await store.writeKeys(phone.id, { upserts: [{ type: 'session', keyId: '1555.0', data: '"s"' }], deletes: [] });
    // Another session holds the phone's auth rows: clearAuth (several statements in one
    // transaction) waits inside its transaction.
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM "AuthCreds" WHERE "phoneId" = $1 FOR UPDATE', [phone.id]);
    await holder.query('SELECT 1 FROM "AuthKey" WHERE "phoneId" = $1 FOR UPDATE', [phone.id]);
    const clearing = store.clearAuth(phone.id);
    clearing.catch(() => {}); // awaited below, after the reset
    await eventually('the store waits on the held rows', async () => {
      const { rows } = await holder.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
      return rows[0].n > 0 || undefined;
    });
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.prependListener('uncaughtException', onUncaught);
    t.after(() => process.removeListener('uncaughtException', onUncaught));
    proxy.reset();
    await assert.rejects(clearing, 'the write fails');
    await holder.query('ROLLBACK');
    // The statements went to the server in one simple query (lib/db/raw.ts inlineAtomic), so the
    // server may finish them once the rows are free, as it may a COMMIT whose answer was lost: the
    // write is ambiguous to its writer, never partial. Both tables cleared, or neither.
    await eventually('the server has finished or dropped the write', async () => {
      const { rows } = await holder.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()");
      return rows[0].n === 0 || undefined;
    });
    const left = [await tdb.db.authCreds.count({ where: { phoneId: phone.id } }), await tdb.db.authKey.count({ where: { phoneId: phone.id } })];
    assert.ok(left[0] === left[1] && (left[0] === 0 || left[0] === 1), `all or nothing cleared (creds, keys left: ${left})`);
    // Nothing escaped as uncaught.
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(uncaught.map(String), []);
  });
}
