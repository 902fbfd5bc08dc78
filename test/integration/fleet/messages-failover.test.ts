// Issue 24's guarantee across a fleet: a message accepted once is shown once to its recipient,
// whatever happens to the node sending it. Two console processes on one PostgreSQL database and
// one simulator; messages for the phones of node A are submitted through node B (stored first,
// A told over the bus), and A is killed (SIGKILL) in the middle of sending, then a new A is drained
// (SIGTERM) in the middle of sending. Every message reaches its contact under the id it was stored
// with; after the kill at most one message per phone (the one in flight) arrived twice, under the
// same id; after the drain every message arrived exactly once; all end `delivered`.
// (Sizes are small for CI: 2 phones per node, 30 messages per phone per round.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startSimulator } from '../../../simulator';
import { createTestDatabase, testProviders } from '../../support/databases';
import { pairForNodes } from '../../support/pairing';
import { eventually, killNodes, startNode, type FleetNodeProcess } from '../../support/fleet-nodes';
import { simMessaging } from '../../support/sim-messaging';
import { createToken } from '../../../lib/auth/tokens';

const PHONES = 4;
const PER_PHONE = 30;

if (testProviders().includes('postgresql')) {
  test('messages through a fleet: a SIGKILL mid-send resends at most the one in flight per phone, under its id; a drain resends none', { timeout: 900_000 }, async (t) => {
    const run = String(process.pid % 10_000).padStart(4, '0');
    const database = await createTestDatabase('postgresql');
    const sim = await startSimulator({ port: 0, idleTimeoutMs: 4000 });
    const msg = simMessaging(sim.controlUrl);
    const nodes = new Map<string, FleetNodeProcess>();
    t.after(async () => {
      await killNodes(nodes.values());
      await sim.close();
      await database.drop();
    });
    const db = database.db;
    const jids = Array.from({ length: PHONES }, (_, i) => `7795${run}${String(i).padStart(3, '0')}@s.whatsapp.net`);
    await pairForNodes(db, sim, jids);
    const { token } = await createToken(db, { name: 'fleet-messages', scopes: ['messages'] });
    const contactOf = (phoneId: number, round: string) => `1556${run}${round}${String(phoneId).padStart(3, '0')}`;

    const env = {
      DATABASE_URL: database.url,
      WA_WEBSOCKET_URL: sim.url,
      SIMULATOR_URL: sim.controlUrl,
      NEXTAUTH_SECRET: crypto.randomBytes(24).toString('hex'),
      KEEPALIVE_INTERVAL_MS: '1000',
      LEASE_TTL_MS: '6000',
      LEASE_RENEW_MS: '1000',
      FENCE_MARGIN_MS: '2500',
      RECONNECT_BASE_MS: '500',
      RECONNECT_MAX_MS: '2000',
      // Paced, so a signal lands while a phone is in the middle of its queue.
      MESSAGE_PHONE_INTERVAL_MS: '150',
      MESSAGE_RECIPIENT_INTERVAL_MS: '0',
    };
    let generation = 0;
    const launch = async (name: string) => {
      const node = await startNode(name, { ...env, NODE_ID: `${name}_${++generation}` });
      nodes.set(name, node);
      return node;
    };
    /** node id → its phones, once every phone is open and each live node runs half of them */
    const spreadEvenly = (what: string) =>
      eventually(what, async () => {
        const owners = await db.phoneOwner.findMany();
        const rows = await db.organizationPhone.findMany({ select: { status: true } });
        if (owners.length !== PHONES || !rows.every((r) => r.status === 'open')) return undefined;
        const perNode = new Map<string, number[]>();
        for (const o of owners) perNode.set(o.nodeId, [...(perNode.get(o.nodeId) ?? []), o.phoneId]);
        return perNode.size === 2 && [...perNode.values()].every((ids) => ids.length === PHONES / 2) ? perNode : undefined;
      }, 240_000, 500);

    /** Submits PER_PHONE texts to each of `phoneIds` through `via`, each to the phone's own contact: their stored ids. */
    const submit = async (via: FleetNodeProcess, phoneIds: number[], round: string) => {
      const ids = new Map<number, string[]>();
      for (const phoneId of phoneIds) {
        const mine: string[] = [];
        for (let i = 0; i < PER_PHONE; i++) {
          const res = await fetch(`${via.url}/api/sessions/${phoneId}/messages`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ to: `+${contactOf(phoneId, round)}`, text: `round ${round} #${i}` }),
          });
          const body = (await res.json()) as { id: string; status: string };
          assert.equal(res.status, 202, JSON.stringify(body));
          mine.push(body.id);
        }
        ids.set(phoneId, mine);
      }
      return ids;
    };
    const sentCount = async (ids: string[]) => db.message.count({ where: { messageId: { in: ids }, status: { in: ['sent', 'delivered', 'read'] } } });
    /** Every message delivered, each contact's inbox holds exactly the submitted ids: how often each arrived. */
    const allDelivered = async (ids: Map<number, string[]>, round: string) => {
      const every = [...ids.values()].flat();
      await eventually(`all ${every.length} messages of round ${round} delivered`, async () => {
        const done = await db.message.count({ where: { messageId: { in: every }, status: { in: ['delivered', 'read'] } } });
        return done === every.length ? true : undefined;
      }, 240_000, 500);
      const times = new Map<number, number[]>();
      for (const [phoneId, mine] of ids) {
        const inbox = await msg.inbox(contactOf(phoneId, round));
        assert.deepEqual(inbox.map((m) => m.id).sort(), [...mine].sort(), `phone ${phoneId}: the contact shows every message once, under its stored id, and no other id`);
        times.set(phoneId, inbox.map((m) => m.times));
      }
      const failed = await db.message.count({ where: { messageId: { in: every }, status: 'failed' } });
      assert.equal(failed, 0, 'no message failed');
      return times;
    };

    // Two nodes share the four phones.
    await launch('a');
    const b = await launch('b');
    const first = await spreadEvenly('four phones open, two on each node');
    const aId = [...first.keys()].find((id) => id.startsWith('a_'))!;

    // 1. SIGKILL node A while it sends its phones' messages (submitted through B).
    const killIds = await submit(b, first.get(aId)!, '1');
    await eventually('node A sent a few of them', async () => ((await sentCount([...killIds.values()].flat())) >= 4 ? true : undefined), 120_000, 50);
    const a1 = nodes.get('a')!;
    a1.child.kill('SIGKILL');
    await a1.exited;
    nodes.delete('a');
    const afterKill = await allDelivered(killIds, '1');
    for (const [phoneId, times] of afterKill) {
      const twice = times.filter((n) => n > 1);
      assert.ok(twice.length <= 1, `phone ${phoneId}: at most the one message in flight at the kill arrived again (${JSON.stringify(times)})`);
    }

    // 2. A new node A takes back its share; SIGTERM (drain) it while it sends: nothing is resent.
    await launch('a');
    const second = await spreadEvenly('the new node A runs two phones again');
    const a2Id = [...second.keys()].find((id) => id.startsWith('a_'))!;
    const drainIds = await submit(b, second.get(a2Id)!, '2');
    await eventually('the new node A sent a few of them', async () => ((await sentCount([...drainIds.values()].flat())) >= 4 ? true : undefined), 120_000, 50);
    const a2 = nodes.get('a')!;
    a2.child.kill('SIGTERM');
    assert.equal(await a2.exited, 0, 'the drained node exits cleanly');
    nodes.delete('a');
    const afterDrain = await allDelivered(drainIds, '2');
    for (const [phoneId, times] of afterDrain) assert.ok(times.every((n) => n === 1), `phone ${phoneId}: every message arrived once after the drain (${JSON.stringify(times)})`);
  });
}
