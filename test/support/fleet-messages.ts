// What the fleet message tests share (fleet/messages-failover.test.ts, fleet/messages-full-size.test.ts):
// the nodes' environment, submitting texts through a node's API, waiting for the phones to be
// spread over the nodes, and the check that every message reached its contact once under its
// stored id (how often each stanza arrived is returned, for the caller's claim).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type { Db } from '../../lib/db/client';
import { RELEASED } from '../../lib/fleet/sql';
import { eventually } from './eventually';
import type { TestContext } from 'node:test';
import { createToken } from '../../lib/auth/tokens';
import { startSimulator } from '../../simulator';
import { createTestDatabase } from './databases';
import { killNodes, startNode, type FleetNodeProcess } from './fleet-nodes';
import { pairForNodes } from './pairing';
import { simMessaging } from './sim-messaging';

/** Short leases and keep-alives, so a failover happens within seconds; the pace so a signal lands mid-queue. */
/**
 * What both fleet message tests start from: their own PostgreSQL database and simulator, `phones`
 * phones paired for the nodes (JIDs `<jidPrefix><run><i>`), a token with the `messages` scope, and
 * `launch(name)`, which starts a console node under a new NODE_ID each time (a restarted node is a
 * new process). Everything is torn down after the test (a stopped node is resumed first, to die).
 */
export async function fleetMessagesSetup(t: TestContext, o: { phones: number; jidPrefix: string; tokenName: string; phoneIntervalMs: number }) {
  const run = String(process.pid % 10_000).padStart(4, '0');
  const database = await createTestDatabase('postgresql');
  const sim = await startSimulator({ port: 0, idleTimeoutMs: 4000 });
  const nodes = new Map<string, FleetNodeProcess>();
  t.after(async () => {
    for (const node of nodes.values()) node.child.kill('SIGCONT');
    await killNodes(nodes.values());
    await sim.close();
    await database.drop();
  });
  const db = database.db;
  const jids = Array.from({ length: o.phones }, (_, i) => `${o.jidPrefix}${run}${String(i).padStart(3, '0')}@s.whatsapp.net`);
  await pairForNodes(db, sim, jids);
  const { token } = await createToken(db, { name: o.tokenName, scopes: ['messages'] });
  const env = fleetMessagesEnv(database.url, sim, o.phoneIntervalMs);
  let generation = 0;
  const nodeIds = new Map<string, string>();
  const launch = async (name: string) => {
    const nodeId = `${name}_${++generation}`;
    const node = await startNode(name, { ...env, NODE_ID: nodeId });
    nodes.set(name, node);
    nodeIds.set(name, nodeId);
    return node;
  };
  /** the NODE_ID of the node last launched under `name` */
  const nodeIdOf = (name: string) => nodeIds.get(name)!;
  return { run, db, msg: simMessaging(sim.controlUrl), nodes, token, launch, nodeIdOf };
}

export function fleetMessagesEnv(databaseUrl: string, sim: { url: string; controlUrl: string }, phoneIntervalMs: number): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    WA_WEBSOCKET_URL: sim.url,
    SIMULATOR_URL: sim.controlUrl,
    NEXTAUTH_SECRET: crypto.randomBytes(24).toString('hex'),
    KEEPALIVE_INTERVAL_MS: '1000',
    LEASE_TTL_MS: '6000',
    LEASE_RENEW_MS: '1000',
    FENCE_MARGIN_MS: '2500',
    RECONNECT_BASE_MS: '500',
    RECONNECT_MAX_MS: '2000',
    MESSAGE_PHONE_INTERVAL_MS: String(phoneIntervalMs),
    MESSAGE_RECIPIENT_INTERVAL_MS: '0',
  };
}

/** node id → its phones, once all `phones` are open and each of `nodes` nodes owns `phones / nodes` of them (none between owners). */
export function spreadEvenly(db: Db, what: string, phones: number, nodes: number) {
  return eventually(
    what,
    async () => {
      const owners = await db.phoneOwner.findMany();
      const rows = await db.organizationPhone.findMany({ select: { status: true } });
      // A phone handed over by rebalancing is RELEASED until its next owner claims it: not spread yet.
      if (owners.length !== phones || owners.some((o) => o.nodeId === RELEASED) || !rows.every((r) => r.status === 'open')) return undefined;
      const perNode = new Map<string, number[]>();
      for (const o of owners) perNode.set(o.nodeId, [...(perNode.get(o.nodeId) ?? []), o.phoneId]);
      return perNode.size === nodes && [...perNode.values()].every((ids) => ids.length === phones / nodes) ? perNode : undefined;
    },
    240_000,
    500,
  );
}

/**
 * Submits `perPhone` texts to each of `phoneIds` through `via`, each to `contactOf(phoneId)`: their
 * stored ids per phone. The phones' submissions run side by side, each phone's in order.
 */
export async function submitTexts(via: FleetNodeProcess, token: string, phoneIds: number[], perPhone: number, contactOf: (phoneId: number) => string, label: string) {
  const ids = new Map<number, string[]>();
  await Promise.all(
    phoneIds.map(async (phoneId) => {
      const mine: string[] = [];
      for (let i = 0; i < perPhone; i++) {
        const res = await fetch(`${via.url}/api/sessions/${phoneId}/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ to: `+${contactOf(phoneId)}`, text: `${label} #${i}` }),
        });
        const body = (await res.json()) as { id: string; status: string };
        assert.equal(res.status, 202, JSON.stringify(body));
        mine.push(body.id);
      }
      ids.set(phoneId, mine);
    }),
  );
  return ids;
}

/** How many of `ids` WhatsApp acknowledged (sent or later). */
export const sentCount = (db: Db, ids: string[]) => db.message.count({ where: { messageId: { in: ids }, status: { in: ['sent', 'delivered', 'read'] } } });

/**
 * Waits until every message is delivered, then checks that each contact's inbox holds exactly the
 * submitted ids (none missing, none under a second id) and that none failed. Returns, per phone,
 * how often each message's stanza reached its contact, and how many messages stayed `sent`.
 *
 * `receiptMayBeLost` (a node killed or stopped): Baileys acknowledges a contact's delivery receipt
 * to WhatsApp as soon as it has emitted it, before the console's write of `delivered` commits, and
 * WhatsApp never sends an acknowledged receipt again. A node that dies in between leaves that
 * message `sent` for good, though its contact has it (the inbox check still holds). So there every
 * message must be acknowledged (`sent` or later), and at most one per phone may stay `sent`.
 */
export async function expectAllDelivered(
  db: Db,
  msg: ReturnType<typeof simMessaging>,
  ids: Map<number, string[]>,
  contactOf: (phoneId: number) => string,
  what: string,
  opts: { receiptMayBeLost?: boolean } = {},
) {
  const every = [...ids.values()].flat();
  const explain = async (err: Error): Promise<never> => {
    // What the messages that did not arrive look like, and who owns their phones: the failure says.
    const left = await db.message.findMany({ where: { messageId: { in: every }, status: { notIn: ['delivered', 'read'] } }, select: { phoneId: true, status: true, failureCode: true, attempts: true, sentAt: true } });
    const owners = await db.phoneOwner.findMany({ where: { phoneId: { in: [...ids.keys()] } } });
    const byKind = new Map<string, number>();
    for (const m of left) {
      const kind = `${m.phoneId}:${m.status}${m.failureCode ? `/${m.failureCode}` : ''}:attempts=${m.attempts}:${m.sentAt ? 'handed' : 'never handed'}`;
      byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    }
    err.message += `; not delivered: ${JSON.stringify(Object.fromEntries(byKind))}; owners: ${JSON.stringify(owners.map((o) => [o.phoneId, o.nodeId, Number(o.epoch)]))}`;
    throw err;
  };
  const count = (statuses: string[]) => db.message.count({ where: { messageId: { in: every }, status: { in: statuses } } });
  await eventually(`all ${every.length} messages of ${what} acknowledged by WhatsApp`, async () => ((await count(['sent', 'delivered', 'read'])) === every.length ? true : undefined), 240_000, 500).catch(explain);
  let receiptsLost = 0;
  const delivered = eventually(`all ${every.length} messages of ${what} delivered`, async () => ((await count(['delivered', 'read'])) === every.length ? true : undefined), opts.receiptMayBeLost ? 15_000 : 240_000, 500);
  if (!opts.receiptMayBeLost) await delivered.catch(explain);
  else {
    await delivered.catch(async () => {
      const left = await db.message.findMany({ where: { messageId: { in: every }, status: 'sent' }, select: { phoneId: true } });
      for (const phoneId of ids.keys()) assert.ok(left.filter((m) => m.phoneId === phoneId).length <= 1, `phone ${phoneId}: at most one message stays sent (its receipt lost with the node)`);
      receiptsLost = left.length;
    });
  }
  const times = new Map<number, number[]>();
  for (const [phoneId, mine] of ids) {
    const inbox = await msg.inbox(contactOf(phoneId));
    assert.deepEqual(inbox.map((m) => m.id).sort(), [...mine].sort(), `phone ${phoneId}: the contact shows every message once, under its stored id, and no other id`);
    times.set(phoneId, inbox.map((m) => m.times));
  }
  const failed = await db.message.count({ where: { messageId: { in: every }, status: 'failed' } });
  assert.equal(failed, 0, 'no message failed');
  return Object.assign(times, { receiptsLost });
}
