// GET /api/nodes (issue 27.9) on a single-node SQLite console: the one node, named by NODE_ID, with
// its capacity, a live lease and the phones it runs; admins, viewers and read tokens may read it,
// nobody else. The sessions API names the node that runs each phone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startSimulator } from '../../../simulator';
import { startConsole } from '../../support/console-server';
import { eventually } from '../../support/eventually';

type Nodes = { nodes: { id: string; self: boolean; state: string; phones: number; capacity: number; leaseAgeMs: number; leaseEndsInMs: number }[]; leaseTtlMs: number };

test('GET /api/nodes: the one node of a SQLite console, its lease, capacity and phones', { timeout: 180_000 }, async (t) => {
  const nodeId = `it_${crypto.randomBytes(3).toString('hex')}`;
  const sim = await startSimulator({ port: 0 });
  const server = await startConsole({ provider: 'sqlite', env: { WA_WEBSOCKET_URL: sim.url, NODE_ID: nodeId, NODE_CAPACITY: '7' } });
  t.after(async () => {
    await server.stop();
    await sim.close();
  });
  const admin = { authorization: `Bearer ${await server.createToken('admin')}` };
  const read = { authorization: `Bearer ${await server.createToken('read')}` };
  const viewer = await server.createViewer();
  const viewerCookie = { cookie: await server.login(viewer.email, viewer.password) };
  const get = async (headers: Record<string, string>) => {
    const res = await fetch(`${server.url}/api/nodes`, { headers });
    return { status: res.status, body: (await res.json()) as Nodes };
  };

  const first = await get(admin);
  assert.equal(first.status, 200);
  assert.equal(first.body.leaseTtlMs, 10_000, 'LEASE_TTL_MS default');
  assert.equal(first.body.nodes.length, 1, 'SQLite: a fleet of one');
  const [node] = first.body.nodes;
  assert.deepEqual({ id: node.id, self: node.self, state: node.state, phones: node.phones, capacity: node.capacity }, { id: nodeId, self: true, state: 'live', phones: 0, capacity: 7 });
  assert.ok(node.leaseAgeMs >= 0 && node.leaseAgeMs <= first.body.leaseTtlMs, `lease age ${node.leaseAgeMs}`);
  assert.ok(node.leaseEndsInMs > 0 && node.leaseEndsInMs <= first.body.leaseTtlMs, `lease ends in ${node.leaseEndsInMs}`);

  for (const [who, headers] of [['read token', read], ['viewer', viewerCookie]] as const) assert.equal((await get(headers)).status, 200, who);
  assert.equal((await fetch(`${server.url}/api/nodes`)).status, 401, 'no credential');
  assert.equal((await fetch(`${server.url}/api/nodes`, { method: 'POST', headers: admin })).status, 405);

  // A started phone runs on the node: counted there, and the sessions API names the node.
  const added = await fetch(`${server.url}/api/sessions`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, body: JSON.stringify({ organizationName: 'Nodes', phone: '77051237701' }) });
  assert.equal(added.status, 201);
  const id = ((await added.json()) as { id: number }).id;
  await eventually('the node counts the phone', async () => ((await get(read)).body.nodes[0].phones === 1 ? true : undefined));
  const session = (await (await fetch(`${server.url}/api/sessions/${id}`, { headers: read })).json()) as { node: string | null; ownerLeaseEndsAt: string | null; status: string };
  assert.equal(session.node, nodeId);
  assert.equal(session.ownerLeaseEndsAt, null, 'no countdown: its owner is live');
  // Closed, it runs nowhere and the node no longer counts it.
  assert.equal((await fetch(`${server.url}/api/sessions/${id}/close`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, body: '{}' })).status, 200);
  await eventually('the closed phone is not counted', async () => ((await get(read)).body.nodes[0].phones === 0 ? true : undefined));
});
