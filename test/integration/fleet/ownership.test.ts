// Ownership SQL and fencing on real databases: leases on the database clock, claims that never
// give a phone to two nodes, epochs that grow with each owner, and writes of a stale owner
// refused by the database while other phones' writes in the same group commit land.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, testProviders } from '../../support/databases';
import { addPhone } from '../../support/engine';
import { FleetSql } from '../../../lib/fleet/sql';
import { SqlSessionStore, StaleOwnerError } from '../../../lib/sessions/store';
import type { Db } from '../../../lib/db/client';

const q = <T>(db: Db, s: { sql: string; params: unknown[] }) => db.$queryRawUnsafe<T[]>(s.sql, ...s.params);

for (const provider of testProviders()) {
  test(`fleet ownership on ${provider}: leases, fair claims, one owner per phone, epochs, release`, async () => {
    const t = await createTestDatabase(provider);
    try {
      const sql = new FleetSql(provider);
      const phones = [];
      for (let i = 0; i < 6; i++) phones.push(await addPhone(t.db, `7799100000${i}@s.whatsapp.net`));
      await t.db.organizationPhone.updateMany({ data: { status: 'open' } });
      await t.db.organizationPhone.update({ where: { id: phones[5].id }, data: { status: 'closed' } });

      const [lease] = await q<{ leaseExpiresMs: bigint | number; nowMs: bigint | number }>(t.db, sql.renew('node_a', 5000, 100));
      const ahead = Number(lease.leaseExpiresMs) - Number(lease.nowMs);
      assert.ok(ahead > 4000 && ahead <= 5000, `the lease ends ttl after the database's now (${ahead} ms)`);
      await q(t.db, sql.renew('node_b', 5000, 100));
      assert.deepEqual((await q<{ id: string }>(t.db, sql.liveNodes())).map((n) => n.id), ['node_a', 'node_b']);
      assert.equal(Number((await q<{ n: bigint }>(t.db, sql.countToRun()))[0].n), 5, 'closed phones do not need to run');

      // Two nodes claim at the same moment, round after round as their ticks would: a claim that
      // meets the other's on the same rows takes nothing this round (PostgreSQL, under load), so
      // one round need not place every phone; no phone ever gets two owners (a duplicate would
      // show twice below), and every running phone ends with exactly one.
      const a: { phoneId: number }[] = [];
      const b: { phoneId: number }[] = [];
      for (let round = 0; round < 5 && a.length + b.length < 5; round++) {
        const [ra, rb] = await Promise.all([q<{ phoneId: number }>(t.db, sql.claim('node_a', 3 - a.length)), q<{ phoneId: number }>(t.db, sql.claim('node_b', 3 - b.length))]);
        a.push(...ra);
        b.push(...rb);
      }
      const claimedIds = [...a, ...b].map((r) => Number(r.phoneId)).sort((x, y) => x - y);
      assert.deepEqual(claimedIds, phones.slice(0, 5).map((p) => p.id), 'each running phone claimed once, the closed one not at all');
      assert.equal((await q(t.db, sql.claim('node_a', 10))).length, 0, 'nothing left to claim while both leases live');

      // node_b's lease ends: node_a takes its phones with a higher epoch.
      await t.db.$executeRawUnsafe(`UPDATE "FleetNode" SET "leaseExpiresMs" = 0 WHERE "id" = 'node_b'`);
      const moved = await q<{ phoneId: number; epoch: bigint | number }>(t.db, sql.claim('node_a', 10));
      assert.equal(moved.length, b.length, 'node_a takes every phone of the dead node');
      for (const m of moved) assert.equal(Number(m.epoch), 2, 'the epoch grows when the owner changes');
      const owners = await t.db.phoneOwner.findMany();
      assert.ok(owners.every((o) => o.nodeId === 'node_a'));

      // claimOne: refused while another live node owns the phone; keeps the epoch for the owner.
      await q(t.db, sql.renew('node_b', 5000, 100));
      assert.equal((await q(t.db, sql.claimOne('node_b', phones[0].id))).length, 0, 'a live owner keeps its phone');
      const [mine] = await q<{ epoch: bigint | number }>(t.db, sql.claimOne('node_a', phones[0].id));
      const [owner] = await q<{ nodeId: string; epoch: bigint | number; live: bigint | number }>(t.db, sql.ownerOf(phones[0].id));
      assert.equal(owner.nodeId, 'node_a');
      assert.equal(Number(mine.epoch), Number(owner.epoch), 'the owner claiming again keeps its epoch');
      assert.equal(Number(owner.live), 1);

      // Release (drain): the phones are free at once for the other node, and the fencing token
      // keeps growing: it never restarts at 1 (a stale write of an earlier owner could match it).
      const before = new Map((await t.db.phoneOwner.findMany()).map((o) => [o.phoneId, Number(o.epoch)]));
      await q(t.db, sql.release('node_a'));
      await q(t.db, sql.leave('node_a'));
      assert.equal((await q(t.db, sql.ownerOf(phones[0].id))).length, 1, 'the released row stays, with its epoch');
      const taken = await q<{ phoneId: number; epoch: bigint | number }>(t.db, sql.claim('node_b', 10));
      assert.equal(taken.length, 5, 'a drained node hands every phone over');
      for (const row of taken) assert.equal(Number(row.epoch), before.get(Number(row.phoneId))! + 1, `phone ${row.phoneId}: the epoch after a drain is one more than before it`);
    } finally {
      await t.drop();
    }
  });

  test(`one process per node id on ${provider}: a second instance cannot renew a live lease; after it lapses it takes over and the id's phones move to a new epoch`, async () => {
    const t = await createTestDatabase(provider);
    try {
      const sql = new FleetSql(provider);
      const phone = await addPhone(t.db, '77991000201@s.whatsapp.net');
      await t.db.organizationPhone.updateMany({ data: { status: 'open' } });
      assert.equal((await q(t.db, sql.renew('node_a', 60_000, 100, 'first'))).length, 1);
      assert.equal((await q(t.db, sql.renew('node_a', 60_000, 100, 'first'))).length, 1, 'the holder renews');
      const [claimed] = await q<{ epoch: bigint | number }>(t.db, sql.claim('node_a', 10));
      assert.equal((await q(t.db, sql.renew('node_a', 60_000, 100, 'second'))).length, 0, 'a second process with the same id is refused while the lease lives');
      const [left] = await q<{ leftMs: bigint | number }>(t.db, sql.leaseLeft('node_a'));
      assert.ok(Number(left.leftMs) > 50_000, 'and told how long the lease still lives');
      assert.equal((await q(t.db, sql.renew('node_a', 60_000, 100, 'first'))).length, 1, 'the first process still holds it');

      await t.db.$executeRawUnsafe(`UPDATE "FleetNode" SET "leaseExpiresMs" = 0 WHERE "id" = 'node_a'`);
      assert.equal((await q(t.db, sql.renew('node_a', 60_000, 100, 'second'))).length, 1, 'once the lease lapsed a new process takes the id');
      await q(t.db, sql.reincarnate('node_a'));
      const owner = await t.db.phoneOwner.findUniqueOrThrow({ where: { phoneId: phone.id } });
      assert.equal(Number(owner.epoch), Number(claimed.epoch) + 1, "the id's phones move to a new epoch: the earlier process's late writes cannot match");
      assert.equal((await q(t.db, sql.renew('node_a', 60_000, 100, 'first'))).length, 0, 'the earlier process, resumed, can renew no more');
    } finally {
      await t.drop();
    }
  });

  test(`fencing on ${provider}: a stale owner's writes are refused by the database, other phones' writes in the same batch land`, async () => {
    const t = await createTestDatabase(provider);
    try {
      const sql = new FleetSql(provider);
      const p1 = await addPhone(t.db, '77991000101@s.whatsapp.net');
      const p2 = await addPhone(t.db, '77991000102@s.whatsapp.net');
      await t.db.organizationPhone.updateMany({ data: { status: 'open' } });
      await q(t.db, sql.renew('node_a', 60_000, 100));
      const claimed = await q<{ phoneId: number; epoch: bigint | number }>(t.db, sql.claim('node_a', 10));
      assert.equal(claimed.length, 2);

      const store = new SqlSessionStore(t.db, provider);
      const refused: number[] = [];
      store.onStaleOwner((id) => refused.push(id));
      store.setFence(p1.id, { nodeId: 'node_a', epoch: 1 });
      store.setFence(p2.id, { nodeId: 'node_a', epoch: 1 });
      await store.writeKeys(p1.id, { upserts: [{ type: 'session', keyId: '1.0', data: '"a"' }], deletes: [] });
      assert.equal(await t.db.authKey.count(), 1, 'the owner writes');

      // node_b takes p1 (node_a's lease "ended"): node_a's writes for p1 must not land.
      await t.db.$executeRawUnsafe(`UPDATE "PhoneOwner" SET "nodeId" = 'node_b', "epoch" = "epoch" + 1 WHERE "phoneId" = ${p1.id}`);
      const results = await Promise.allSettled([
        store.writeKeys(p1.id, { upserts: [{ type: 'session', keyId: '1.1', data: '"stale"' }], deletes: [] }),
        store.writePhoneState(p1.id, { status: 'closed', lastCloseReason: 'stale' }),
        store.insertEvent({ phoneId: p1.id, type: 'state:closed', sender: null, count: null, message: 'stale', detail: null }),
        store.saveCreds(p1.id, '{"stale":true}'),
        store.writeKeys(p2.id, { upserts: [{ type: 'session', keyId: '2.0', data: '"b"' }], deletes: [] }),
        store.writePhoneState(p2.id, { status: 'open' }),
      ]);
      for (const r of results.slice(0, 4)) {
        assert.equal(r.status, 'rejected');
        assert.ok((r as PromiseRejectedResult).reason instanceof StaleOwnerError, String((r as PromiseRejectedResult).reason));
      }
      assert.deepEqual(results.slice(4).map((r) => r.status), ['fulfilled', 'fulfilled'], 'the other phone is not affected');
      assert.equal(await t.db.authKey.count({ where: { phoneId: p1.id } }), 1, 'no stale key landed');
      assert.equal(await t.db.authKey.count({ where: { phoneId: p2.id } }), 1);
      assert.equal((await t.db.organizationPhone.findUniqueOrThrow({ where: { id: p1.id } })).status, 'open', 'no stale state landed');
      assert.equal(await t.db.sessionEvent.count({ where: { phoneId: p1.id } }), 0, 'no stale event landed');
      assert.equal(await t.db.authCreds.count({ where: { phoneId: p1.id } }), 0, 'no stale credentials landed');
      assert.equal(await t.db.fenceRefusal.count(), 0, 'the refusal table never keeps a row');
      assert.ok(refused.length >= 4 && refused.every((id) => id === p1.id), 'every refusal is reported for the stale phone');

      // A socket opens only where the phone is held at the fence's epoch, checked in the database.
      const heardBefore = refused.length;
      assert.equal(await store.holdsPhone(p2.id), true, 'the owner may open its socket');
      assert.equal(await store.holdsPhone(p1.id), false, 'a node that lost the phone may not');
      assert.equal(refused.length, heardBefore + 1, 'and the fleet hears of it, as for a refused write');
      await t.db.$executeRawUnsafe(`UPDATE "FleetNode" SET "leaseExpiresMs" = 0 WHERE "id" = 'node_a'`);
      assert.equal(await store.holdsPhone(p2.id), false, 'nor may an owner whose lease lapsed (a node paused past it)');
    } finally {
      await t.drop();
    }
  });
}
