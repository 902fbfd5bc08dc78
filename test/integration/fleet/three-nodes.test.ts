// The fleet for real: three console processes on one PostgreSQL database and one simulator,
// 30 paired phones. Each phone is owned by exactly one node; a killed node's phones open on the
// others before its lease ends (its database session ended); a node paused past its lease is fenced out (it closes its sockets and none of its
// writes lands); a rolling restart moves every phone with no re-pairing; commands and events
// cross nodes; and the simulator sees no device with two live connections at any moment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator } from '../../../simulator';
import { createTestDatabase, testProviders } from '../../support/databases';
import { pairForNodes } from '../../support/pairing';
import { containBaileysRejections } from '../../support/contained-rejections';
import { eventually, fleetNodeEnv, killNodes, startNode, type FleetNodeProcess } from '../../support/fleet-nodes';
import { sseUntil } from '../../support/sse';
import { createToken } from '../../../lib/auth/tokens';

const PHONES = 30;
const LEASE_TTL_MS = 8000;
// Generous bounds: CI may run on a busy 2-core machine.
const FAILOVER_BOUND_MS = LEASE_TTL_MS + 60_000;

if (testProviders().includes('postgresql')) {
  test('three nodes on PostgreSQL: one owner per phone, failover, fencing, rolling restart, commands and events across nodes, no overlap', { timeout: 900_000 }, async (t) => {
    containBaileysRejections(t);
    const database = await createTestDatabase('postgresql');
    const sim = await startSimulator({ port: 0, idleTimeoutMs: 4000 });
    const nodes = new Map<string, FleetNodeProcess>();
    t.after(async () => {
      await killNodes(nodes.values());
      await sim.close();
      await database.drop();
    });
    const db = database.db;

    // Pair the phones once (QR → scan) with an engine of the test's own, then close it without
    // logging out: the phones stay `open` in the database, for the fleet to start.
    const jids = Array.from({ length: PHONES }, (_, i) => `7790200${String(i).padStart(4, '0')}@s.whatsapp.net`);
    const phones = await pairForNodes(db, sim, jids, 10);
    const registrations = () => sim.events(0).filter((e) => e.type === 'registration').length;
    const registered = registrations();
    const byJid = new Map(phones.map((p) => [p.phoneJid, p.id]));
    const { token } = await createToken(db, { name: 'fleet-test', scopes: ['admin'] });
    const auth = { authorization: `Bearer ${token}` };

    const env = { ...fleetNodeEnv({ databaseUrl: database.url, simUrl: sim.url, leaseTtlMs: LEASE_TTL_MS }), START_CONCURRENCY: '10', START_RATE_PER_SEC: '50' };
    let generation = 0;
    const launch = async (name: string) => {
      const node = await startNode(name, { ...env, NODE_ID: `${name}_${++generation}` });
      nodes.set(name, node);
      return node;
    };

    /** Every phone open, owned by a live node in `expected`, with exactly one live connection. */
    const fleetState = async () => {
      const live = new Set(
        (await db.$queryRawUnsafe<{ id: string }[]>(`SELECT "id" FROM "FleetNode" WHERE "leaseExpiresMs" > (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint`)).map((r) => r.id),
      );
      const owners = await db.phoneOwner.findMany();
      const rows = await db.organizationPhone.findMany({ select: { id: true, status: true } });
      const conns = new Map<number, number>();
      for (const c of sim.connections()) {
        const id = c.phoneJid ? byJid.get(c.phoneJid) : undefined;
        if (id && c.loggedIn) conns.set(id, (conns.get(id) ?? 0) + 1);
      }
      return { live, owners, rows, conns };
    };
    const allOpenOn = async (allowed: (nodeId: string) => boolean) => {
      const { live, owners, rows, conns } = await fleetState();
      if (owners.length !== PHONES) return undefined;
      if (!owners.every((o) => live.has(o.nodeId) && allowed(o.nodeId))) return undefined;
      if (!rows.every((r) => r.status === 'open')) return undefined;
      if (!phones.every((p) => conns.get(p.id) === 1)) return undefined;
      const perNode = new Map<string, number[]>();
      for (const o of owners) perNode.set(o.nodeId, [...(perNode.get(o.nodeId) ?? []), o.phoneId]);
      return perNode;
    };
    const overlaps = () => sim.phones().reduce((n, p) => n + p.overlaps, 0);

    // 1. Three nodes start on the same database: every phone ends owned by exactly one of them.
    const a = await launch('a');
    await launch('b');
    await launch('c');
    // The first node up takes every phone; as the others join it hands phones back until each
    // node runs its share (10 of 30).
    const spread = await eventually('30 phones open, spread evenly over three nodes', async () => {
      const perNode = await allOpenOn(() => true);
      return perNode && perNode.size === 3 && [...perNode.values()].every((ids) => ids.length === PHONES / 3) ? perNode : undefined;
    }, 240_000, 500);
    assert.equal(overlaps(), 0, 'no device had two live connections while the nodes started');

    // 2. A restart sent to one node for a phone another node owns runs there; the first node's
    // event stream shows the owner's events.
    const nodeIdOfProcess = (n: FleetNodeProcess) => [...spread.keys()].find((id) => id.startsWith(`${n.name}_`));
    const aId = nodeIdOfProcess(a)!;
    const [otherId, otherPhones] = [...spread].find(([id]) => id !== aId)!;
    const target = otherPhones[0];
    const connsBefore = sim.events(0).filter((e) => e.type === 'login' && e.phoneJid === phones.find((p) => p.id === target)!.phoneJid).length;
    const seen = sseUntil(`${a.url}/api/sessions/stream`, auth, (event, data) => event === 'state' && data.phoneId === target && data.state === 'open', 60_000, async () => {
      const res = await fetch(`${a.url}/api/sessions/${target}/restart`, { method: 'POST', headers: auth });
      assert.equal(res.status, 200, await res.clone().text());
      assert.deepEqual(await res.json(), { success: true, message: 'Session restarted' });
    });
    await seen;
    const owner = await db.phoneOwner.findUniqueOrThrow({ where: { phoneId: target } });
    assert.equal(owner.nodeId, otherId, 'the phone stayed with its owner');
    await eventually('the restarted phone logged in again at the simulator', async () => {
      const logins = sim.events(0).filter((e) => e.type === 'login' && e.phoneJid === phones.find((p) => p.id === target)!.phoneJid).length;
      return logins > connsBefore ? true : undefined;
    }, 60_000);
    const listed = (await (await fetch(`${a.url}/api/sessions`, { headers: auth })).json()) as { id: number; status: string; isActive: boolean }[];
    assert.equal(listed.length, PHONES);
    assert.ok(listed.every((s) => s.status === 'open' && s.isActive), 'node a lists every phone as open, its own and the others');

    // 3. SIGKILL the node with the most phones: they open on the others without waiting for its lease.
    const [victimId] = [...spread].sort((x, y) => y[1].length - x[1].length)[0];
    const victim = [...nodes.values()].find((n) => victimId.startsWith(`${n.name}_`))!;
    const killedAt = Date.now();
    victim.child.kill('SIGKILL');
    await victim.exited;
    nodes.delete(victim.name);
    await eventually('every phone open on the surviving nodes', () => allOpenOn((id) => id !== victimId), FAILOVER_BOUND_MS, 250);
    const failoverMs = Date.now() - killedAt;
    t.diagnostic(`failover after SIGKILL: ${failoverMs} ms (lease ${LEASE_TTL_MS} ms)`);
    // The fast path (its database session ended with the process): the phones were claimed
    // before the killed node's lease ended, not after it (docs/fleet.md, which failure takes which path).
    const [victimLease] = await db.$queryRawUnsafe<{ e: bigint }[]>(`SELECT "leaseExpiresMs" AS e FROM "FleetNode" WHERE "id" = $1`, victimId);
    const moved = await db.phoneOwner.findMany({ where: { phoneId: { in: spread.get(victimId)! } } });
    assert.ok(victimLease && moved.every((o) => Number(o.claimedMs) < Number(victimLease.e)), 'the killed node\'s phones were claimed before its lease ended');
    assert.equal(overlaps(), 0, 'no overlap during failover');
    await launch(victim.name);

    // 4. SIGSTOP a node past its lease, then SIGCONT: it is fenced out and none of its writes lands.
    const [pausedId, pausedPhones] = [...(await eventually('a node with phones to pause', async () => {
      const per = await allOpenOn(() => true);
      return per && [...per].some(([, ids]) => ids.length >= 3) ? per : undefined;
    }, 120_000))].sort((x, y) => y[1].length - x[1].length)[0];
    const paused = [...nodes.values()].find((n) => pausedId.startsWith(`${n.name}_`))!;
    const maxEvent = async () => Number((await db.$queryRawUnsafe<{ max: number | null }[]>(`SELECT MAX("id") AS "max" FROM "SessionEvent"`))[0].max ?? 0);
    const beforePause = await maxEvent();
    paused.child.kill('SIGSTOP');
    await eventually('the paused node\'s phones open elsewhere', () => allOpenOn((id) => id !== pausedId), FAILOVER_BOUND_MS, 250);
    // The new owners' takeover ends with each phone's `state:open` event: once every paused phone
    // has one, the takeover's writes are in (no waiting for the count to stop moving).
    const lastEvent = await eventually('the new owners recorded each paused phone open', async () => {
      const opens = await db.sessionEvent.findMany({ where: { id: { gt: beforePause }, phoneId: { in: pausedPhones }, type: 'state:open' }, select: { phoneId: true } });
      return new Set(opens.map((e) => e.phoneId)).size === pausedPhones.length ? maxEvent() : undefined;
    });
    paused.child.kill('SIGCONT');
    await eventually('the resumed node reports that it lost its phones', async () => (/self-fencing|another node/.test(paused.output()) ? true : undefined), 60_000);
    // No sleep: the later event is the resumed node abandoning each old session (its log line).
    // From then on the old sockets' late work writes nothing (session.ts: a socket that is no
    // longer its session's reads and writes nothing); before it, every write meets the fence.
    // The resumed node is a live member again (it may get phones back by rebalancing, under a new
    // epoch); what must not land is anything its old sockets would write: closing, reconnecting.
    const abandoned = (id: number) => paused.output().split('\n').some((l) => l.includes('session abandoned') && new RegExp(`"phoneId":${id}[,}]`).test(l));
    await eventually('the resumed node abandoned each of its old sessions', () => pausedPhones.every(abandoned));
    await eventually('every phone open, each on one live node, after the paused node resumed', () => allOpenOn(() => true), 120_000, 250);
    const late = await db.sessionEvent.findMany({ where: { id: { gt: lastEvent }, phoneId: { in: pausedPhones } } });
    const stale = late.filter((e) => e.type === 'state:closing' || e.type === 'state:closed' || /^Reconnecting|Connection (Terminated|was lost)/.test(e.message ?? ''));
    assert.deepEqual(stale.map((e) => `${e.phoneId} ${e.type} ${e.message}`), [], 'no write of the resumed node\'s old sockets landed');
    assert.match(paused.output(), /write refused|self-fencing|another node/, 'the resumed node noticed');
    assert.equal(overlaps(), 0, 'no overlap when the paused node resumed');

    // 5. Rolling restart: SIGTERM each node in turn and start it again.
    for (const name of [...nodes.keys()]) {
      const node = nodes.get(name)!;
      node.child.kill('SIGTERM');
      const code = await node.exited;
      assert.equal(code, 0, `${name} exits cleanly on SIGTERM`);
      nodes.delete(name);
      const gone = [...(await fleetState()).live].filter((id) => id.startsWith(`${name}_`));
      assert.deepEqual(gone, [], 'a drained node gives up its lease at once');
      await eventually(`every phone open after ${name} drained`, () => allOpenOn((id) => !id.startsWith(`${name}_`)), 120_000, 250);
      await launch(name);
    }
    await eventually('every phone open after the rolling restart', () => allOpenOn(() => true), 120_000, 250);
    assert.equal(registrations(), registered, 'no phone had to pair again');
    assert.equal(overlaps(), 0, 'no device had two live connections at any moment of the test');
  });
}
