// A write transaction stuck while it holds the fence's share lock on a phone's owner row (a node
// paused mid-write, or its network gone): a surviving node's claim waits a bounded time
// (lock_timeout) instead of indefinitely, its lease keeps being renewed meanwhile (its own
// schedule, never behind a claim), and it takes the phone once the lock is gone.
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

if (testProviders().includes('postgresql')) {
  test('a stuck transaction holding an owner row: the claim gives up in bounded time, the lease keeps renewing, the phone is taken once the lock goes', { timeout: 120_000 }, async (t) => {
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
