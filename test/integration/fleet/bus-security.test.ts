// The fleet bus under attack, on PostgreSQL: a role with only CONNECT forges commands and
// 'null' payloads and replays a captured command; a holder of the key lies about a phone's epoch;
// commands reach an owner that was paused (SIGSTOP) past its lease. Node A is a bare fleet node in
// its own process (test/support/fleet-bus-node.ts), node B a Fleet in this process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { createTestDatabase, PG_ADMIN_URL, testProviders } from '../../support/databases';
import { addPhone, testLogger } from '../../support/engine';
import { eventually } from '../../support/fleet-nodes';
import { bareHost, bareSnapshot } from '../../support/fleet-bus-node';
import { PgBus } from '../../../lib/fleet/bus';
import { BusSeal } from '../../../lib/fleet/bus-seal';
import { Fleet } from '../../../lib/fleet/fleet';
import { storeFor } from '../../../lib/sessions/store';
import { UnavailableError } from '../../../lib/errors';
import { toResponse } from '../../../lib/api/errors';

const KEY = crypto.randomBytes(32).toString('base64url');
// A's lease: short, so the test waits seconds for it to lapse; bounds below are generous multiples.
const LEASE_TTL_MS = 3000;

interface Fact {
  started?: number;
  abandoned?: number;
  ran?: string;
  phoneId?: number;
  drops?: Record<string, number>;
  joined?: string;
  log?: string;
}

function startBareNode(env: Record<string, string>) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.resolve(__dirname, '../../support/fleet-bus-node.ts')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const facts: Fact[] = [];
  let buf = '';
  let stderr = '';
  child.stdout!.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        facts.push(JSON.parse(line) as Fact);
      } catch {
        // not a fact
      }
    }
  });
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const drops = () => facts.filter((f) => f.drops).at(-1)?.drops ?? {};
  const dropTotal = () => Object.values(drops()).reduce((a, b) => a + b, 0);
  const runs = () => facts.filter((f) => f.ran);
  return { child, facts, exited, drops, dropTotal, runs, stderr: () => stderr };
}

if (testProviders().includes('postgresql')) {
  test('fleet bus on PostgreSQL: forged, null and replayed messages are refused; a lying epoch is not believed; a paused owner runs no late command', { timeout: 180_000 }, async (t) => {
    const database = await createTestDatabase('postgresql');
    const dbName = new URL(database.url).pathname.slice(1);
    const forgerRole = `h_fleet_forger_${crypto.randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    // A role that may only connect: no table privilege at all (it can still NOTIFY, as anyone can).
    await admin.query(`CREATE ROLE "${forgerRole}" LOGIN`);
    await admin.query(`GRANT CONNECT ON DATABASE "${dbName}" TO "${forgerRole}"`);
    const forgerUrl = new URL(database.url);
    forgerUrl.username = forgerRole;
    const forger = new pg.Client({ connectionString: forgerUrl.toString() });
    await forger.connect();
    await assert.rejects(forger.query('SELECT count(*) FROM "PhoneOwner"'), /permission denied/, 'the forger has no table privilege');

    let a: ReturnType<typeof startBareNode> | null = null;
    let b: Fleet | null = null;
    const buses: PgBus[] = [];
    const listener = new pg.Client({ connectionString: database.url });
    t.after(async () => {
      if (a && a.child.exitCode === null && a.child.signalCode === null) {
        a.child.kill('SIGCONT');
        a.child.kill('SIGKILL');
        await a.exited;
      }
      await b?.close().catch(() => {});
      for (const bus of buses) await bus.close().catch(() => {});
      await listener.end().catch(() => {});
      await forger.end().catch(() => {});
      await database.drop();
      await admin.query(`DROP ROLE IF EXISTS "${forgerRole}"`).catch(() => {});
      await admin.end();
    });

    const phone = await addPhone(database.db, '77991500001@s.whatsapp.net');
    await database.db.organizationPhone.update({ where: { id: phone.id }, data: { status: 'open' } });
    const nodeA = `a_${crypto.randomBytes(3).toString('hex')}`;
    const nodeB = `b_${crypto.randomBytes(3).toString('hex')}`;

    a = startBareNode({ DATABASE_URL: database.url, NODE_ID: nodeA, FLEET_BUS_KEY: KEY, LEASE_TTL_MS: String(LEASE_TTL_MS), LEASE_RENEW_MS: '500', FENCE_MARGIN_MS: '1000' });
    const nodeAProc = a;
    await eventually('node A to own the phone', async () => (nodeAProc.facts.some((f) => f.started === phone.id) ? true : undefined), 60_000, 100).catch((err) => {
      throw new Error(`${(err as Error).message}\n${nodeAProc.stderr()}`);
    });

    const hostB = bareHost(() => {});
    const busB = new PgBus(database.url, testLogger(), new BusSeal({ current: KEY, windowMs: 30_000 }));
    b = new Fleet(
      database.db,
      storeFor(database.db),
      busB,
      hostB,
      { nodeId: nodeB, leaseTtlMs: 60_000, renewIntervalMs: 60_000, fenceMarginMs: 10_000, capacity: 100, startConcurrency: 10, startPerSecond: 100, commandTimeoutMs: 1500, busKeyConfigured: true },
      testLogger(),
    );
    await b.start();
    const fleetB = b;

    // 1. Forged by a CONNECT-only role: a logout (the reproduction), one in the sealed
    //    form with a made-up MAC, and 'null' on every channel. None runs; the node stays up.
    const forged = [
      [`fleet_cmd_${nodeA}`, JSON.stringify({ id: 'x', from: 'a', cmd: { op: 'logout', phoneId: phone.id } })],
      [`fleet_cmd_${nodeA}`, `f1.${Buffer.from('iv').toString('base64url')}.${Buffer.from('{"op":"logout"}').toString('base64url')}.${Buffer.alloc(32).toString('base64url')}`],
      [`fleet_cmd_${nodeA}`, 'null'],
      [`fleet_reply_${nodeA}`, 'null'],
      ['fleet_events', 'null'],
    ];
    const before = a.dropTotal();
    for (const [channel, payload] of forged) await forger.query('SELECT pg_notify($1, $2)', [channel, payload]);
    await eventually('node A to refuse the five forged messages', async () => (nodeAProc.dropTotal() >= before + forged.length ? true : undefined), 20_000, 50);
    assert.equal(a.runs().length, 0, 'no forged command ran');
    assert.equal(a.child.exitCode, null, "'null' did not kill the node");
    assert.ok((a.drops().bad_mac ?? 0) >= 1 && (a.drops().malformed ?? 0) >= 4, JSON.stringify(a.drops()));

    // 2. A real command runs once; the same payload captured off the bus and sent again by the
    //    forger is refused as a replay.
    await listener.connect();
    const captured = new Promise<string>((resolve) => listener.on('notification', (n) => n.channel === `fleet_cmd_${nodeA}` && resolve(n.payload!)));
    await listener.query(`LISTEN "fleet_cmd_${nodeA}"`);
    const route = await b.route(phone.id);
    assert.equal(route.kind, 'remote');
    const epochA = (route as { epoch: number }).epoch;
    assert.equal(await b.forward(nodeA, epochA, { op: 'restart', phoneId: phone.id }), 'ran');
    const payload = await captured;
    assert.ok(!payload.includes('restart'), 'the command is not readable on the bus');
    const beforeReplay = a.drops().replayed ?? 0;
    await forger.query('SELECT pg_notify($1, $2)', [`fleet_cmd_${nodeA}`, payload]);
    await eventually('node A to refuse the replay', async () => ((nodeAProc.drops().replayed ?? 0) > beforeReplay ? true : undefined), 20_000, 50);
    assert.equal(a.runs().length, 1, 'the restart ran once');

    // 3. A node with the key lies: a snapshot of A's phone at epoch 2147483647 with its own QR.
    //    B believes it only if the owner row agrees: it does not, so A's real snapshot (asked for
    //    by a hello, after the lie) is what B shows.
    const liar = new PgBus(database.url, testLogger(), new BusSeal({ current: KEY, windowMs: 30_000 }));
    buses.push(liar);
    const lie = { ...bareSnapshot(phone.id), state: 'qr', isConnected: false, qr: 'ATTACKER-QR' };
    await liar.publish('fleet_events', { kind: 'snapshots', from: nodeA, items: [{ snapshot: lie, epoch: 2147483647 }] });
    await liar.publish('fleet_events', { kind: 'snapshots', from: 'mallory', items: [{ snapshot: lie, epoch: 2147483647 }] });
    await liar.publish('fleet_events', { kind: 'hello', from: 'newcomer' });
    await eventually("B to show A's real snapshot", async () => (fleetB.remote.nodeOf(phone.id) === nodeA && fleetB.remote.snapshot(phone.id)?.state === 'open' ? true : undefined), 20_000, 50);
    assert.equal(fleetB.remote.snapshot(phone.id)?.qr, null, "the liar's QR is never served");

    // 4. A is paused past its lease with two commands on their way: one that B gives up on
    //    (503 owner_unreachable, will not run later), one sent with a far deadline at A's old
    //    epoch. B takes the phone; when A resumes it runs neither.
    a.child.kill('SIGSTOP');
    const started = Date.now();
    const timedOut = await b.forward(nodeA, epochA, { op: 'restart', phoneId: phone.id }).then(
      () => assert.fail('a paused owner cannot answer'),
      (err: unknown) => err,
    );
    assert.ok(timedOut instanceof UnavailableError);
    const res = toResponse(timedOut);
    assert.equal(res.status, 503);
    assert.ok(res.headers.get('retry-after'), 'Retry-After');
    const body = (await res.json()) as { code: string; details: { willRunLater: boolean } };
    assert.equal(body.code, 'owner_unreachable');
    assert.equal(body.details.willRunLater, false);
    const sender = new PgBus(database.url, testLogger(), new BusSeal({ current: KEY, windowMs: 30_000 }));
    buses.push(sender);
    await sender.publish(`fleet_cmd_${nodeA}`, { id: crypto.randomUUID(), from: nodeB, cmd: { op: 'close', phoneId: phone.id }, epoch: epochA, deadlineMs: Date.now() + 120_000 });

    await eventually(
      'B to take the phone once A’s lease lapsed',
      async () => {
        await fleetB.tick();
        return fleetB.owned.has(phone.id) ? true : undefined;
      },
      LEASE_TTL_MS * 10,
      200,
    );
    assert.ok(Date.now() - started >= 1500);
    assert.ok(fleetB.owned.get(phone.id)! > epochA, 'a new epoch');
    a.child.kill('SIGCONT');
    await eventually(
      'A to drop both late commands',
      async () => (nodeAProc.facts.filter((f) => f.log?.startsWith('fleet command dropped')).length >= 2 ? true : undefined),
      30_000,
      50,
    );
    assert.equal(a.runs().length, 1, 'neither late command ran on the old owner');
    const dropped = a.facts.filter((f) => f.log?.startsWith('fleet command dropped')).map((f) => f.log);
    assert.ok(dropped.some((l) => l!.includes('deadline')) && dropped.some((l) => l!.includes('epoch')), dropped.join('\n'));
  });
}
