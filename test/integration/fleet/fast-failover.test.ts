// Fast failover on PostgreSQL (issue 28.1), with three node processes with real sessions against
// the simulator (fixtures/session-node.ts) and a few phones:
// - SIGKILL: the killed node's database session ends, so its liveness lock goes, and the
//   survivors open its phones well inside the lease (below half of it), without waiting it out;
// - a reset link (the node's database connections cut through a TCP proxy while its WhatsApp
//   sockets are up): PostgreSQL sees the session end as for a crash, so the phones move just as
//   fast, and the cut node closes its sockets as soon as its lock connection fails, so no phone
//   has two owners' sockets at once;
// - over the whole test the simulator counts 0 overlaps (a device with two live connections).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { startSimulator } from '../../../simulator';
import { createTestDatabase, testProviders } from '../../support/databases';
import { pairForNodes } from '../../support/pairing';
import { eventually, killNodes } from '../../support/fleet-nodes';
import { startTcpProxy, type TcpProxy } from '../../support/proxies';

const PHONES = 6;
const LEASE_TTL_MS = 20_000;
const FIXTURE = path.join(__dirname, 'fixtures', 'session-node.ts');

interface NodeProc {
  id: string;
  child: ChildProcess;
  output(): string;
  exited: Promise<void>;
}

function startSessionNode(id: string, env: Record<string, string>): Promise<NodeProc> {
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], { env: { ...process.env, ...env, NODE_ID: id }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d;
      if (out.includes(`{"ready":"${id}"}`)) resolve({ id, child, output: () => out, exited });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d) => (out += d));
    void exited.then(() => reject(new Error(`node ${id} exited before it joined:\n${out.slice(-2000)}`)));
  });
}

if (testProviders().includes('postgresql')) {
  test('fast failover: a killed node\'s phones, and a reset node\'s, open elsewhere below half the lease; the reset node closes its sockets; 0 overlaps', { timeout: 240_000 }, async (t) => {
    const t0 = Date.now();
    const phase = (what: string) => t.diagnostic(`${what}: ${Date.now() - t0} ms`);
    const database = await createTestDatabase('postgresql');
    const sim = await startSimulator({ port: 0, idleTimeoutMs: 120_000 });
    const nodes: NodeProc[] = [];
    let proxy: TcpProxy | null = null;
    t.after(async () => {
      if (process.env.FAILOVER_LOG_DIR) for (const n of nodes) (await import('node:fs')).writeFileSync(path.join(process.env.FAILOVER_LOG_DIR, `${n.id}.log`), n.output());
      await killNodes(nodes);
      await proxy?.close();
      await sim.close();
      await database.drop();
    });
    const db = database.db;
    const jids = Array.from({ length: PHONES }, (_, i) => `7790400${String(i).padStart(4, '0')}@s.whatsapp.net`);
    const phones = await pairForNodes(db, sim, jids, PHONES);
    const byJid = new Map(phones.map((p) => [p.phoneJid, p.id]));
    phase('paired');

    const pgUrl = new URL(database.url);
    proxy = await startTcpProxy({ host: pgUrl.hostname, port: Number(pgUrl.port || 5432) });
    const viaProxy = new URL(database.url);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const env = {
      SIM_URL: sim.url,
      FLEET_BUS_KEY: crypto.randomBytes(32).toString('base64url'),
      LEASE_TTL_MS: String(LEASE_TTL_MS),
      LEASE_RENEW_MS: '1000',
      FENCE_MARGIN_MS: '3000',
      NODE_DEATH_CHECK_MS: '250',
      START_CONCURRENCY: '10',
      START_RATE_PER_SEC: '50',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
    };
    const suffix = crypto.randomBytes(2).toString('hex');
    // Node c reaches the database only through the proxy (its pool, its bus and its lock).
    nodes.push(
      ...(await Promise.all([
        startSessionNode(`fa_${suffix}`, { ...env, DATABASE_URL: database.url }),
        startSessionNode(`fb_${suffix}`, { ...env, DATABASE_URL: database.url }),
        startSessionNode(`fc_${suffix}`, { ...env, DATABASE_URL: viaProxy.toString() }),
      ])),
    );
    const [, b, c] = nodes;
    phase('nodes up');

    const overlaps = () => sim.phones().reduce((n, p) => n + p.overlaps, 0);
    /** Every phone open with one live connection, owned by a node `allowed` accepts: the owners per node. */
    const allOpenOn = async (allowed: (nodeId: string) => boolean) => {
      const owners = await db.phoneOwner.findMany();
      const rows = await db.organizationPhone.findMany({ select: { id: true, status: true } });
      const conns = new Map<number, number>();
      for (const s of sim.connections()) {
        const id = s.phoneJid ? byJid.get(s.phoneJid) : undefined;
        if (id && s.loggedIn) conns.set(id, (conns.get(id) ?? 0) + 1);
      }
      if (owners.length !== PHONES || !owners.every((o) => allowed(o.nodeId))) return undefined;
      if (!rows.every((r) => r.status === 'open') || !phones.every((p) => conns.get(p.id) === 1)) return undefined;
      const per = new Map<string, number[]>();
      for (const o of owners) per.set(o.nodeId, [...(per.get(o.nodeId) ?? []), o.phoneId]);
      return per;
    };
    const spread = await eventually('every phone open, two on each node', async () => {
      const per = await allOpenOn(() => true);
      return per && per.size === 3 && [...per.values()].every((ids) => ids.length === PHONES / 3) ? per : undefined;
    }, 120_000, 250);
    assert.equal(overlaps(), 0, 'no overlap while the nodes started');
    phase('spread');

    // 1. SIGKILL node a: its lease lives on, its lock is gone with its session.
    const killed = nodes[0];
    const killedPhones = spread.get(killed.id)!;
    const epochsBefore = new Map((await db.phoneOwner.findMany()).map((o) => [o.phoneId, o.epoch]));
    const killedAt = Date.now();
    t.diagnostic(`kill at ${new Date(killedAt).toISOString()}`);
    killed.child.kill('SIGKILL');
    await killed.exited;
    await eventually('the killed node\'s phones open on the survivors', () => allOpenOn((id) => id !== killed.id), 60_000, 50);
    const failoverMs = Date.now() - killedAt;
    phase(`failover after SIGKILL: ${failoverMs} ms`);
    t.diagnostic(`failover after SIGKILL: ${failoverMs} ms for ${killedPhones.length} phones (lease ${LEASE_TTL_MS} ms)`);
    assert.ok(failoverMs < LEASE_TTL_MS / 2, `the phones did not wait for the lease (${failoverMs} ms, lease ${LEASE_TTL_MS} ms)`);
    const lease = await db.$queryRawUnsafe<{ left: bigint }[]>(`SELECT "leaseExpiresMs" - (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint AS "left" FROM "FleetNode" WHERE "id" = $1`, killed.id);
    assert.ok(lease.length === 1 && Number(lease[0].left) > 0, 'the killed node\'s lease had not lapsed yet: the database\'s evidence was its session ending');
    for (const o of await db.phoneOwner.findMany({ where: { phoneId: { in: killedPhones } } })) assert.ok(o.epoch > epochsBefore.get(o.phoneId)!, 'each moved phone has a new epoch');
    assert.equal(overlaps(), 0, 'no overlap through the kill');

    // 2. Reset node c's database connections (the proxy resets them and refuses new ones) while
    // its WhatsApp sockets are up: it closes them at once, and node b takes every phone.
    const perNow = await eventually('node c runs phones', async () => {
      const per = await allOpenOn((id) => id !== killed.id);
      return per && (per.get(c.id)?.length ?? 0) > 0 ? per : undefined;
    }, 60_000, 250);
    const cutPhones = perNow.get(c.id)!;
    const cutAt = Date.now();
    proxy.reset();
    await eventually('every phone open on node b', () => allOpenOn((id) => id === b.id), 60_000, 50);
    const moveMs = Date.now() - cutAt;
    t.diagnostic(`phones of the reset node open on the survivor after ${moveMs} ms (${cutPhones.length} phones)`);
    assert.ok(moveMs < LEASE_TTL_MS / 2, `the reset node's phones did not wait for its lease (${moveMs} ms)`);
    assert.match(c.output(), /liveness lock connection lost: closing every socket/, 'the reset node noticed its lock connection fail');
    const abandoned = (id: number) => c.output().split('\n').some((l) => l.includes('session abandoned') && new RegExp(`"phoneId":${id}[,}]`).test(l));
    assert.ok(cutPhones.every(abandoned), 'the reset node closed the socket of each of its phones');
    assert.equal(overlaps(), 0, 'no device had two live connections at any moment of the test');
    phase('done');
  });
}
