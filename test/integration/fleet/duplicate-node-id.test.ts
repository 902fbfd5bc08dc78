// Two processes with one NODE_ID: the second refuses to start, with a message that says why,
// and the first keeps its phone at its epoch (no adoption, no overlap).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { createTestDatabase, testProviders } from '../../support/databases';
import { addPhone, testLogger } from '../../support/engine';
import { eventually } from '../../support/fleet-nodes';
import { bareHost } from '../../support/fleet-bus-node';
import { LoopbackBus } from '../../../lib/fleet/bus';
import { Fleet, FleetStartRefusedError } from '../../../lib/fleet/fleet';
import { storeFor } from '../../../lib/sessions/store';

const NODE = path.resolve(__dirname, '../../support/fleet-bus-node.ts');

function bareNode(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', NODE], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, exited, out: () => out };
}

if (testProviders().includes('postgresql')) {
  test('a second process with a live NODE_ID refuses to start and takes nothing', { timeout: 120_000 }, async (t) => {
    const database = await createTestDatabase('postgresql');
    const env = { DATABASE_URL: database.url, NODE_ID: `dup_${crypto.randomBytes(3).toString('hex')}`, FLEET_BUS_KEY: crypto.randomBytes(32).toString('base64url'), LEASE_TTL_MS: '10000', LEASE_RENEW_MS: '1000', FENCE_MARGIN_MS: '3000' };
    const first = bareNode(env);
    t.after(async () => {
      if (first.child.exitCode === null) {
        first.child.kill('SIGKILL');
        await first.exited;
      }
      await database.drop();
    });
    const phone = await addPhone(database.db, '77991600001@s.whatsapp.net');
    await database.db.organizationPhone.update({ where: { id: phone.id }, data: { status: 'open' } });
    await eventually('the first process to own the phone', async () => (first.out().includes(`"started":${phone.id}`) ? true : undefined), 60_000, 100);
    const owner = await database.db.phoneOwner.findUniqueOrThrow({ where: { phoneId: phone.id } });

    const second = bareNode(env);
    const code = await second.exited;
    assert.notEqual(code, 0, 'the second process stops');
    assert.match(second.out(), /NODE_ID dup_\w+ is in use by another running process/);
    assert.doesNotMatch(second.out(), /"started"/, 'it started no phone');
    const after = await database.db.phoneOwner.findUniqueOrThrow({ where: { phoneId: phone.id } });
    assert.equal(after.epoch, owner.epoch, 'the first process keeps the phone at its epoch');
    assert.equal(first.child.exitCode, null, 'the first process runs on');
  });
}

if (testProviders().includes('postgresql')) {
  test('a node without FLEET_BUS_KEY: starts after a dead node\'s lease lapses, refuses beside a live node', { timeout: 120_000 }, async (t) => {
    const database = await createTestDatabase('postgresql');
    const fleets: Fleet[] = [];
    t.after(async () => {
      for (const f of fleets) await f.close().catch(() => {});
      await database.drop();
    });
    const settings = (nodeId: string, busKeyConfigured: boolean) => ({ nodeId, leaseTtlMs: 3000, renewIntervalMs: 500, fenceMarginMs: 1000, capacity: 10, startConcurrency: 1, startPerSecond: 10, commandTimeoutMs: 1000, busKeyConfigured });
    const node = (nodeId: string, keyed: boolean) => {
      const f = new Fleet(database.db, storeFor(database.db), new LoopbackBus(), bareHost(() => {}), settings(nodeId, keyed), testLogger());
      fleets.push(f);
      return f;
    };
    // A lease left by a process that just died (a quick restart of a single node): not a live node.
    await database.db.$executeRawUnsafe(`INSERT INTO "FleetNode" ("id", "leaseExpiresMs", "capacity") VALUES ('ghost', (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint + 1500, 10)`);
    await node('alone', false).start();

    await node('keyed', true).start();
    // The refusal names the live nodes it saw renew while it waited: both are live, either may be
    // seen first (the message lists those that proved alive by the time the first one did).
    await assert.rejects(node('keyless', false).start(), (err: Error) => err instanceof FleetStartRefusedError && /FLEET_BUS_KEY is not set/.test(err.message) && /\((alone|keyed)(, (alone|keyed))?\)/.test(err.message));
  });
}
