// A phone handed over by rebalancing keeps the reason in its row (issue 27.9): node a runs every
// phone, node b joins, a sheds its excess to b, and each moved phone's stored `lastClose` says
// `rebalanced` from node a (what the page renders as "moved to node b"), read back from the API
// and the database after b runs it. A drain (SIGTERM: a deploy) stores `drained` from the node
// that stopped, read back the same way once the other node runs the phones; the phones that never
// moved keep their own reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator } from '../../../simulator';
import { createTestDatabase, testProviders } from '../../support/databases';
import { pairForNodes } from '../../support/pairing';
import { eventually, fleetNodeEnv, killNodes, startNode, type FleetNodeProcess } from '../../support/fleet-nodes';
import { createToken } from '../../../lib/auth/tokens';

const PHONES = 4;

type Listed = { id: number; status: string; node: string | null; lastClose: { code: string; params: Record<string, unknown> } | null };

if (testProviders().includes('postgresql')) {
  test('rebalancing stores "rebalanced from <node>" as the moved phones\' last close; a drain stores "drained from <node>"', { timeout: 600_000 }, async (t) => {
    const database = await createTestDatabase('postgresql');
    const sim = await startSimulator({ port: 0, idleTimeoutMs: 4000 });
    const nodes: FleetNodeProcess[] = [];
    t.after(async () => {
      await killNodes(nodes);
      await sim.close();
      await database.drop();
    });
    const db = database.db;
    const jids = Array.from({ length: PHONES }, (_, i) => `7790300${String(i).padStart(4, '0')}@s.whatsapp.net`);
    await pairForNodes(db, sim, jids, PHONES);
    const { token } = await createToken(db, { name: 'rebalance-test', scopes: ['admin'] });
    const auth = { authorization: `Bearer ${token}` };
    const env = fleetNodeEnv({ databaseUrl: database.url, simUrl: sim.url, leaseTtlMs: 8000 });
    const owners = async () => new Map((await db.phoneOwner.findMany()).map((o) => [o.phoneId, o.nodeId]));
    const openOn = async (expected: (nodeId: string | undefined) => boolean) => {
      const own = await owners();
      const rows = await db.organizationPhone.findMany({ select: { id: true, status: true } });
      const loggedIn = sim.connections().filter((c) => c.loggedIn).length;
      return rows.length === PHONES && rows.every((r) => r.status === 'open' && expected(own.get(r.id))) && loggedIn === PHONES ? own : undefined;
    };
    const listed = async (url: string) => {
      const res = await fetch(`${url}/api/sessions`, { headers: auth });
      assert.equal(res.status, 200);
      return (await res.json()) as Listed[];
    };

    // 1. Node a alone runs every phone.
    const a = await startNode('a', { ...env, NODE_ID: 'shed_a' });
    nodes.push(a);
    await eventually('every phone open on node a', () => openOn((n) => n === 'shed_a'), 120_000, 250);

    // 2. Node b joins: a runs more than its share and hands phones to b until each runs two.
    const b = await startNode('b', { ...env, NODE_ID: 'shed_b' });
    nodes.push(b);
    const spread = await eventually('the phones spread two and two, all open', async () => {
      const own = await openOn(() => true);
      const onB = own && [...own].filter(([, n]) => n === 'shed_b').map(([id]) => id);
      return onB && onB.length === PHONES / 2 ? own : undefined;
    }, 120_000, 250);
    const moved = [...spread].filter(([, n]) => n === 'shed_b').map(([id]) => id);
    const stayed = [...spread].filter(([, n]) => n === 'shed_a').map(([id]) => id);

    // The moved phones' rows say who let them go; the API (either node) says so once b runs them.
    for (const id of moved) {
      const row = await db.organizationPhone.findUniqueOrThrow({ where: { id }, select: { lastClose: true, status: true } });
      const stored = JSON.parse(row.lastClose ?? 'null') as Listed['lastClose'];
      assert.deepEqual(stored && { code: stored.code, params: stored.params }, { code: 'rebalanced', params: { from: 'shed_a' } }, `phone ${id}: the stored last close`);
      assert.equal(row.status, 'open', 'the stored status stays (the new owner started it)');
      for (const url of [a.url, b.url]) {
        const res = await fetch(`${url}/api/sessions/${id}`, { headers: auth });
        assert.equal(res.status, 200);
        const one = (await res.json()) as Listed;
        assert.equal(one.node, 'shed_b');
        assert.equal(one.status, 'open');
        assert.deepEqual(one.lastClose && { code: one.lastClose.code, params: one.lastClose.params }, { code: 'rebalanced', params: { from: 'shed_a' } }, `phone ${id} read from ${url}`);
      }
    }
    for (const s of (await listed(a.url)).filter((p) => stayed.includes(p.id))) {
      assert.notEqual(s.lastClose?.code, 'rebalanced', `phone ${s.id} stayed on node a`);
    }

    // 3. A drain (SIGTERM): b's phones move to a, and each stores why: `drained` from b (never
    // "shutdown", and no longer the older `rebalanced` from a, which would name the wrong node).
    const beforeDrain = new Map((await db.organizationPhone.findMany({ where: { id: { in: stayed } }, select: { id: true, lastClose: true } })).map((r) => [r.id, r.lastClose]));
    b.child.kill('SIGTERM');
    assert.equal(await b.exited, 0, 'b exits cleanly on SIGTERM');
    await eventually('every phone open on node a after b drained', () => openOn((n) => n === 'shed_a'), 120_000, 250);
    for (const id of moved) {
      const row = await db.organizationPhone.findUniqueOrThrow({ where: { id }, select: { lastClose: true, status: true } });
      const stored = JSON.parse(row.lastClose ?? 'null') as Listed['lastClose'];
      assert.deepEqual(stored && { code: stored.code, params: stored.params }, { code: 'drained', params: { from: 'shed_b' } }, `phone ${id}: the stored last close`);
      assert.equal(row.status, 'open');
      const one = (await (await fetch(`${a.url}/api/sessions/${id}`, { headers: auth })).json()) as Listed;
      assert.equal(one.node, 'shed_a');
      assert.deepEqual(one.lastClose && { code: one.lastClose.code, params: one.lastClose.params }, { code: 'drained', params: { from: 'shed_b' } }, `phone ${id} read from node a`);
    }
    for (const id of stayed) {
      const row = await db.organizationPhone.findUniqueOrThrow({ where: { id }, select: { lastClose: true } });
      assert.equal(row.lastClose, beforeDrain.get(id), `phone ${id} never left node a: its row is untouched by b's drain`);
    }
  });
}
