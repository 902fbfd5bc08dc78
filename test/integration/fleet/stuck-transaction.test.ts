// A write transaction stuck while it holds the fence's share lock on a phone's owner row (a node
// paused mid-write, or its network gone): a surviving node's claim skips that row (SKIP LOCKED)
// instead of waiting on it, its lease keeps being renewed meanwhile (its own
// schedule, never behind a claim), and it takes the phone once the lock is gone. A live owner's
// phone is never taken, not even one handed over while a claim was running (issue 22.1), and the
// server ends the stuck session at the node's idle-in-transaction limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import pg from 'pg';
import { createTestDatabase, testProviders } from '../../support/databases';
import { addPhone, testLogger } from '../../support/engine';
import { eventually } from '../../support/fleet-nodes';
import { bareHost } from '../../support/fleet-bus-node';
import { LoopbackBus } from '../../../lib/fleet/bus';
import { Fleet } from '../../../lib/fleet/fleet';
import { storeFor } from '../../../lib/sessions/store';
import { pgConnectionOptions } from '../../../lib/db/client';

if (testProviders().includes('postgresql')) {
  test('a stuck transaction holding an owner row: the claim does not wait on it, the lease keeps renewing, the phone is taken once the lock goes', { timeout: 120_000 }, async (t) => {
    const database = await createTestDatabase('postgresql');
    const holder = new pg.Client({ connectionString: database.url });
    let fleet: Fleet | null = null;
    t.after(async () => {
      await holder.end().catch(() => {});
      await fleet?.close().catch(() => {});
      await database.drop();
    });
    const phone = await addPhone(database.db, '77991700001@s.whatsapp.net');
    await database.db.organizationPhone.update({ where: { id: phone.id }, data: { status: 'open' } });
    // The dead node's row: its lease long lapsed, its phone still owned at epoch 1.
    await database.db.$executeRawUnsafe(`INSERT INTO "FleetNode" ("id", "leaseExpiresMs", "capacity") VALUES ('dead', 0, 10)`);
    await database.db.$executeRawUnsafe(`INSERT INTO "PhoneOwner" ("phoneId", "nodeId", "epoch", "claimedMs") VALUES (${phone.id}, 'dead', 1, 0)`);
    // Its write transaction, stopped half-way with the fence's lock held.
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query(`SELECT 1 FROM "PhoneOwner" WHERE "phoneId" = $1 FOR SHARE`, [phone.id]);

    const nodeId = `survivor_${crypto.randomBytes(3).toString('hex')}`;
    fleet = new Fleet(
      database.db,
      storeFor(database.db),
      new LoopbackBus(),
      bareHost(() => {}),
      { nodeId, leaseTtlMs: 6000, renewIntervalMs: 500, fenceMarginMs: 2000, capacity: 10, startConcurrency: 1, startPerSecond: 10, commandTimeoutMs: 1000, busKeyConfigured: true },
      testLogger(),
    );
    const survivor = fleet;
    // Today's code waited here for as long as the stuck transaction lived (two hours with the
    // server's defaults). The bound is lock_timeout (1 s here) plus a busy machine's slack.
    const started = await Promise.race([survivor.start().then(() => 'started'), new Promise((r) => setTimeout(() => r('still waiting'), 30_000).unref())]);
    assert.equal(started, 'started', 'joining does not wait on the stuck lock');
    assert.equal(survivor.owned.size, 0, 'the locked phone was not taken while locked');

    const expiry = async () => Number((await database.db.$queryRawUnsafe<{ e: bigint }[]>(`SELECT "leaseExpiresMs" AS e FROM "FleetNode" WHERE "id" = $1`, nodeId))[0].e);
    const seen = new Set<number>([await expiry()]);
    await eventually('the lease to be renewed twice more while the lock is held', async () => (seen.add(await expiry()).size >= 3 ? true : undefined), 30_000, 100);
    assert.equal(survivor.owned.size, 0, 'still not taken while locked');

    await holder.query('ROLLBACK');
    await eventually('the survivor to take the phone once the lock is gone', async () => {
      await survivor.tick();
      return survivor.owned.has(phone.id) ? true : undefined;
    }, 30_000, 200);
    assert.equal(survivor.owned.get(phone.id), 2, 'with the next epoch');
  });
}

if (testProviders().includes('postgresql')) {
  test('a stuck transaction on a live owner\'s row: the survivor keeps renewing, never takes a live owner\'s phone, and the server ends the stuck session at its idle limit', { timeout: 120_000 }, async (t) => {
    const database = await createTestDatabase('postgresql');
    // The stuck node's connection, with a node's session settings (a short idle limit for the test).
    const stuck = new pg.Client({ connectionString: database.url, ...pgConnectionOptions({ lockTimeoutMs: 5000, idleInTransactionMs: 1500, keepAliveMs: 10_000 }) });
    // A transaction that hands a phone over while the survivor may be claiming it (no idle limit).
    const mover = new pg.Client({ connectionString: database.url });
    let fleet: Fleet | null = null;
    t.after(async () => {
      await stuck.end().catch(() => {});
      await mover.end().catch(() => {});
      await fleet?.close().catch(() => {});
      await database.drop();
    });
    const db = database.db;
    const [live, handed, own] = await Promise.all(['77991710001', '77991710002', '77991710003'].map((n) => addPhone(db, `${n}@s.whatsapp.net`)));
    await db.organizationPhone.updateMany({ data: { status: 'open' } });
    const farLease = `(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint + 600000`;
    await db.$executeRawUnsafe(`INSERT INTO "FleetNode" ("id", "leaseExpiresMs", "capacity") VALUES ('live_x', ${farLease}, 10), ('dead', 0, 10)`);
    await db.$executeRawUnsafe(`INSERT INTO "PhoneOwner" ("phoneId", "nodeId", "epoch", "claimedMs") VALUES (${live.id}, 'live_x', 1, 0), (${handed.id}, 'dead', 1, 0)`);

    // The stuck node: its write transaction stopped half-way with the fence's lock on a live owner's row.
    const errors: string[] = [];
    stuck.on('error', (err) => errors.push(err.message));
    await stuck.connect();
    const stuckPid = Number((await stuck.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid);
    await stuck.query('BEGIN');
    await stuck.query(`SELECT 1 FROM "PhoneOwner" WHERE "phoneId" = $1 FOR SHARE`, [live.id]);
    // The mover holds the dead node's phone row the same way, to hand it to a node that joins now.
    await mover.connect();
    await mover.query('BEGIN');
    await mover.query(`SELECT 1 FROM "PhoneOwner" WHERE "phoneId" = $1 FOR SHARE`, [handed.id]);

    const host = bareHost(() => {});
    const abandoned: number[] = [];
    const abandon = host.abandon.bind(host);
    host.abandon = async (id, why) => {
      abandoned.push(id);
      await abandon(id, why);
    };
    const nodeId = `survivor_${crypto.randomBytes(3).toString('hex')}`;
    fleet = new Fleet(db, storeFor(db), new LoopbackBus(), host, { nodeId, leaseTtlMs: 3000, renewIntervalMs: 500, fenceMarginMs: 1000, capacity: 10, startConcurrency: 1, startPerSecond: 10, commandTimeoutMs: 1000, busKeyConfigured: true }, testLogger());
    const survivor = fleet;
    await survivor.start();
    assert.deepEqual([...survivor.owned.keys()], [own.id], 'the survivor took the free phone only');

    const expiry = async () => Number((await db.$queryRawUnsafe<{ e: bigint }[]>(`SELECT "leaseExpiresMs" AS e FROM "FleetNode" WHERE "id" = $1`, nodeId))[0].e);
    const renewals = async (n: number) => {
      const seen = new Set<number>([await expiry()]);
      await eventually(`${n} more renewals of the survivor's lease`, async () => (seen.add(await expiry()).size > n ? true : undefined), 30_000, 50);
    };
    // The handover comes while a claim of the survivor waits on the mover's lock (the first version
    // waited there, then judged the new owner from its old snapshot and took the phone), or, since
    // a claim now never waits, once the survivor has run its rounds.
    const waiting = async () =>
      Number((await db.$queryRawUnsafe<{ n: bigint }[]>(`SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`))[0].n) > 0;
    const before = await expiry();
    await eventually('a claim waiting on the lock, or two renewals', async () => ((await waiting()) || (await expiry()) > before + 600 ? true : undefined), 30_000, 10);
    await mover.query(`INSERT INTO "FleetNode" ("id", "leaseExpiresMs", "capacity") VALUES ('fresh', ${farLease}, 10)`);
    await mover.query(`UPDATE "PhoneOwner" SET "nodeId" = 'fresh', "epoch" = 2 WHERE "phoneId" = $1`, [handed.id]);
    await mover.query('COMMIT');

    await renewals(3);
    await survivor.tick();
    await survivor.tick();
    const owners = new Map((await db.phoneOwner.findMany()).map((o) => [o.phoneId, `${o.nodeId}@${o.epoch}`]));
    assert.equal(owners.get(handed.id), 'fresh@2', 'the phone handed to a live node stays there');
    assert.equal(owners.get(live.id), 'live_x@1', 'the live owner keeps its phone while a transaction holds its row');

    // The server ends the stuck session at its idle limit, and the lock goes with it.
    await eventually('the server to end the stuck session', async () => {
      const rows = await db.$queryRawUnsafe<unknown[]>(`SELECT 1 FROM pg_stat_activity WHERE pid = $1`, stuckPid);
      return rows.length === 0 ? true : undefined;
    }, 30_000, 50);
    await eventually('the stuck client to hear of it', async () => (errors.length ? true : undefined), 30_000, 50);
    await renewals(2);
    await survivor.tick();
    assert.equal((await db.phoneOwner.findUniqueOrThrow({ where: { phoneId: live.id } })).nodeId, 'live_x', 'still the live owner\'s once the lock is gone');
    assert.deepEqual(abandoned, [], 'the survivor never fenced itself (it closed none of its phones)');
    assert.ok(survivor.owned.has(own.id));
  });
}
