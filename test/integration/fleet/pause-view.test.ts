// A node paused (SIGSTOP) past its lease, seen from the node that survives, on PostgreSQL with two
// console processes and the default 30 s WhatsApp keep-alive (issue 22, items 6 and 7):
// - the survivor claims the phones the moment the lease lapses (not at its next round);
// - the live view: the survivor's list and event stream show the paused node's phones as
//   `owner_lost` (judged on the lease, on the database's clock) until they open on the survivor;
//   once the paused node's lease has lapsed, the list never shows them `open` while its owner row
//   still names the paused node;
// - the documented guarantee of a pause (docs/fleet.md, "What a pause cannot prevent"): the paused
//   process cannot close its sockets, so when the new owner connects WhatsApp replaces each old
//   connection (the simulator counts that overlap: one per phone, the older connection replaced);
//   after SIGCONT the old node writes nothing (fence), never reconnects (no further replacement),
//   and every phone ends with one live connection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startSimulator } from '../../../simulator';
import { createTestDatabase, testProviders } from '../../support/databases';
import { pairForNodes } from '../../support/pairing';
import { eventually, killNodes, startNode, type FleetNodeProcess } from '../../support/fleet-nodes';
import { sseFrames } from '../../support/sse';
import { createToken } from '../../../lib/auth/tokens';

const PHONES = 4;
const LEASE_TTL_MS = 5000;
const LEASE_RENEW_MS = 1000;

if (testProviders().includes('postgresql')) {
  test('a paused node: the survivor shows its phones owner_lost until they open there; WhatsApp replaces the paused sockets once, the resumed node writes nothing and never reconnects', { timeout: 300_000 }, async (t) => {
    const t0 = Date.now();
    const phase = (what: string) => t.diagnostic(`${what}: ${Date.now() - t0} ms`);
    const database = await createTestDatabase('postgresql');
    // A server that drops a silent connection only long after the default 30 s keep-alive would: the
    // paused node's sockets stay live at the simulator for the whole pause, as they would at WhatsApp.
    const sim = await startSimulator({ port: 0, idleTimeoutMs: 120_000 });
    const nodes: FleetNodeProcess[] = [];
    const streams: AbortController[] = [];
    t.after(async () => {
      for (const s of streams) s.abort();
      await killNodes(nodes);
      await sim.close();
      await database.drop();
    });
    const db = database.db;
    const jids = Array.from({ length: PHONES }, (_, i) => `7790300${String(i).padStart(4, '0')}@s.whatsapp.net`);
    const phones = await pairForNodes(db, sim, jids, PHONES);
    const byJid = new Map(phones.map((p) => [p.phoneJid, p.id]));
    const { token } = await createToken(db, { name: 'pause-view', scopes: ['admin'] });
    const auth = { authorization: `Bearer ${token}` };
    const env = {
      DATABASE_URL: database.url,
      WA_WEBSOCKET_URL: sim.url,
      NEXTAUTH_SECRET: crypto.randomBytes(24).toString('hex'),
      LEASE_TTL_MS: String(LEASE_TTL_MS),
      LEASE_RENEW_MS: String(LEASE_RENEW_MS),
      FENCE_MARGIN_MS: '2000',
      RECONNECT_BASE_MS: '500',
      RECONNECT_MAX_MS: '2000',
    };
    const [a, b] = await Promise.all(['pa', 'pb'].map((name) => startNode(name, { ...env, NODE_ID: `${name}_1` })));
    nodes.push(a, b);
    phase('paired, nodes up');

    const liveConns = () => {
      const conns = new Map<number, number>();
      for (const c of sim.connections()) {
        const id = c.phoneJid ? byJid.get(c.phoneJid) : undefined;
        if (id && c.loggedIn) conns.set(id, (conns.get(id) ?? 0) + 1);
      }
      return conns;
    };
    /** Owner per phone when every phone is open with one live connection and owned by an allowed node. */
    const allOpenOn = async (allowed: (nodeId: string) => boolean) => {
      const owners = await db.phoneOwner.findMany();
      const rows = await db.organizationPhone.findMany({ select: { status: true } });
      const conns = liveConns();
      if (owners.length !== PHONES || !owners.every((o) => allowed(o.nodeId)) || !rows.every((r) => r.status === 'open') || !phones.every((p) => conns.get(p.id) === 1)) return undefined;
      return new Map(owners.map((o) => [o.phoneId, o.nodeId]));
    };
    const overlapsOf = () => new Map(sim.phones().filter((p) => byJid.has(p.phoneJid)).map((p) => [byJid.get(p.phoneJid)!, p.overlaps]));

    // (A node that had to retry a taken port runs as pa_1_r2: ids are matched by their prefix.)
    const spread = await eventually('every phone open, two on each node', async () => {
      const owners = await allOpenOn(() => true);
      return owners && ['pa_', 'pb_'].every((n) => [...owners.values()].filter((o) => o.startsWith(n)).length === PHONES / 2) ? owners : undefined;
    }, 180_000, 200);
    const aId = [...spread.values()].find((o) => o.startsWith('pa_'))!;
    const bId = [...spread.values()].find((o) => o.startsWith('pb_'))!;
    const bPhones = [...spread].filter(([, o]) => o === bId).map(([id]) => id);
    assert.deepEqual([...overlapsOf().values()], Array(PHONES).fill(0), 'no overlap while the nodes started');
    const listA = async () => (await (await fetch(`${a.url}/api/sessions`, { headers: auth })).json()) as { id: number; status: string; isActive: boolean }[];
    await eventually('node a lists every phone open', async () => ((await listA()).every((s) => s.status === 'open') ? true : undefined), 30_000, 100);

    // Node a's event stream, read for the whole failover.
    const frames: { state: string; phoneId: number; previous: string }[] = [];
    const ctrl = new AbortController();
    streams.push(ctrl);
    const res = await fetch(`${a.url}/api/sessions/stream`, { headers: auth, signal: ctrl.signal });
    assert.equal(res.status, 200);
    let hello = false;
    void (async () => {
      for await (const f of sseFrames(res.body!)) {
        if (f.event === 'hello') hello = true;
        if (f.event === 'state') frames.push(JSON.parse(f.data));
      }
    })().catch(() => {});
    await eventually('the stream is subscribed', () => (hello ? true : undefined), 30_000, 50);

    const logins = () => sim.events(0).filter((e) => e.type === 'login').length;
    const eventsBefore = sim.events(0).at(-1)?.seq ?? 0;
    const bConnIds = new Set(sim.connections().filter((c) => c.loggedIn && c.phoneJid && bPhones.includes(byJid.get(c.phoneJid)!)).map((c) => c.conn));
    assert.equal(bConnIds.size, bPhones.length);
    phase('spread, stream open');
    b.child.kill('SIGSTOP');

    // 6. While the failover runs, each list of node a is checked against the database read just
    // before it: a phone whose owner row still names b after b's lease lapsed is never `open`.
    const seen = new Map<number, Set<string>>(bPhones.map((id) => [id, new Set()]));
    const lapsed = async () => Number((await db.$queryRawUnsafe<{ n: number | bigint }[]>(`SELECT COUNT(*) AS "n" FROM "FleetNode" WHERE "id" = $1 AND "leaseExpiresMs" > (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint`, bId))[0].n) === 0;
    let checkedLapsed = 0;
    await eventually("b's phones open on node a", async () => {
      const wasLapsed = await lapsed();
      const list = await listA();
      const owners = new Map((await db.phoneOwner.findMany()).map((o) => [o.phoneId, o.nodeId]));
      for (const s of list.filter((x) => bPhones.includes(x.id))) {
        seen.get(s.id)!.add(s.status);
        if (wasLapsed && owners.get(s.id) === bId) {
          checkedLapsed++;
          assert.equal(s.status, 'owner_lost', `phone ${s.id}: its owner's lease lapsed, nothing runs it, the list says ${s.status}`);
          assert.equal(s.isActive, false);
        }
      }
      return allOpenOn((id) => id === aId);
    }, 60_000, 100);
    // Claimed the moment b's lease lapsed (database clock), not at a's next round (up to a renewal later).
    const lease = await db.fleetNode.findUniqueOrThrow({ where: { id: bId } });
    const claims = await db.phoneOwner.findMany({ where: { phoneId: { in: bPhones } } });
    const claimDelays = claims.map((o) => Number(o.claimedMs) - Number(lease.leaseExpiresMs));
    t.diagnostic(`claims after b's lease lapsed: ${claimDelays.join(', ')} ms (renewal interval ${LEASE_RENEW_MS} ms)`);
    assert.ok(claimDelays.every((d) => d >= 0), 'nothing claimed before the lease lapsed');
    assert.ok(Math.min(...claimDelays) < LEASE_RENEW_MS / 2, 'the first claim came at the lapse, not at the next round');
    for (const [id, states] of seen) assert.ok(states.has('owner_lost'), `node a listed phone ${id} as owner_lost during the failover (saw ${[...states].join(', ')})`);
    t.diagnostic(`lists checked after b's lease lapsed, before a claimed: ${checkedLapsed} phone rows`);
    await eventually("node a's stream: owner_lost, then open, for each of b's phones", () =>
      bPhones.every((id) => {
        const mine = frames.filter((f) => f.phoneId === id);
        const lost = mine.findIndex((f) => f.state === 'owner_lost' && f.previous === 'open');
        return lost >= 0 && mine.slice(lost + 1).some((f) => f.state === 'open');
      }) || undefined,
    10_000, 50);
    assert.ok((await listA()).every((s) => s.status === 'open'), 'node a lists every phone open once they run there');

    // 7. What a pause cannot prevent, exactly as docs/fleet.md says: the paused sockets were live
    // when a connected; WhatsApp replaced each (the older connection), once.
    const replaced = sim.events(eventsBefore).filter((e) => e.type === 'replaced');
    assert.deepEqual(replaced.map((e) => byJid.get(e.phoneJid!)).sort(), [...bPhones].sort(), 'each paused phone replaced once, by its new owner');
    assert.ok(replaced.every((e) => bConnIds.has((e.detail as { conn: number }).conn)), "the replaced connections are the paused node's");
    const overlapsAtTakeover = overlapsOf();
    for (const p of phones) assert.equal(overlapsAtTakeover.get(p.id), bPhones.includes(p.id) ? 1 : 0, `phone ${p.id}: overlaps`);
    const maxEvent = async () => Number((await db.$queryRawUnsafe<{ max: number | null }[]>(`SELECT MAX("id") AS "max" FROM "SessionEvent"`))[0].max ?? 0);
    const lastEvent = await maxEvent();
    const loginsAtTakeover = logins();

    phase('taken over');
    b.child.kill('SIGCONT');
    const abandoned = (id: number) => b.output().split('\n').some((l) => l.includes('session abandoned') && new RegExp(`"phoneId":${id}[,}]`).test(l));
    await eventually('the resumed node abandoned each of its old sessions', () => bPhones.every(abandoned) || undefined, 60_000, 100);
    // It is a live member again: rebalancing may hand it phones back (a release, then a claim at a
    // new epoch: no overlap). Wait for that to settle, then check what its old sockets did.
    await eventually('every phone open, one live connection each, after b resumed', () => allOpenOn(() => true), 60_000, 200);
    const late = await db.sessionEvent.findMany({ where: { id: { gt: lastEvent }, phoneId: { in: bPhones } } });
    const stale = late.filter((e) => e.type === 'state:closing' || e.type === 'state:closed' || /^Reconnecting|Connection (Terminated|was lost)/.test(e.message ?? ''));
    assert.deepEqual(stale.map((e) => `${e.phoneId} ${e.type} ${e.message}`), [], "no write of the resumed node's old sockets landed");
    assert.deepEqual(overlapsOf(), overlapsAtTakeover, 'no new overlap: the resumed node never reconnected an old session');
    phase('resumed, checked');
    t.diagnostic(`logins after the takeover: ${logins() - loginsAtTakeover} (rebalancing hands-over only)`);
  });
}
