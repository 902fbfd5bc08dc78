// Issue 24's guarantee across a fleet: a message accepted once is shown once to its recipient,
// whatever happens to the node sending it. Two console processes on one PostgreSQL database and
// one simulator; messages for the phones of node A are submitted through node B (stored first,
// A told over the bus), and A is killed (SIGKILL) in the middle of sending, then a new A is drained
// (SIGTERM) in the middle of sending. Every message reaches its contact under the id it was stored
// with; after the kill at most one message per phone (the one in flight) arrived twice, under the
// same id; after the drain every message arrived exactly once; all end `delivered` (after the kill,
// at most one per phone may stay `sent`: its receipt was acknowledged by the killed node's Baileys
// before the console stored it).
// (Sizes are small for CI: 2 phones per node, 30 messages per phone per round.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, type FleetNodeProcess } from '../../support/fleet-nodes';
import { testProviders } from '../../support/databases';
import { expectAllDelivered, fleetMessagesSetup, sentCount, spreadEvenly, submitTexts } from '../../support/fleet-messages';

const PHONES = 4;
const PER_PHONE = 30;

if (testProviders().includes('postgresql')) {
  test('messages through a fleet: a SIGKILL mid-send resends at most the one in flight per phone, under its id; a drain resends none', { timeout: 900_000 }, async (t) => {
    // Paced, so a signal lands while a phone is in the middle of its queue.
    const { run, db, msg, nodes, token, launch } = await fleetMessagesSetup(t, { phones: PHONES, jidPrefix: '7795', tokenName: 'fleet-messages', phoneIntervalMs: 150 });
    const contactOf = (phoneId: number, round: string) => `1556${run}${round}${String(phoneId).padStart(3, '0')}`;
    const spread = (what: string) => spreadEvenly(db, what, PHONES, 2);
    const submit = (via: FleetNodeProcess, phoneIds: number[], round: string) => submitTexts(via, token, phoneIds, PER_PHONE, (id) => contactOf(id, round), `round ${round}`);
    const allDelivered = (ids: Map<number, string[]>, round: string, receiptMayBeLost = false) => expectAllDelivered(db, msg, ids, (id) => contactOf(id, round), `round ${round}`, { receiptMayBeLost });

    // Two nodes share the four phones.
    await launch('a');
    const b = await launch('b');
    const first = await spread('four phones open, two on each node');
    const aId = [...first.keys()].find((id) => id.startsWith('a_'))!;

    // 1. SIGKILL node A while it sends its phones' messages (submitted through B).
    const killIds = await submit(b, first.get(aId)!, '1');
    await eventually('node A sent a few of them', async () => ((await sentCount(db, [...killIds.values()].flat())) >= 4 ? true : undefined), 120_000, 50);
    const a1 = nodes.get('a')!;
    a1.child.kill('SIGKILL');
    await a1.exited;
    nodes.delete('a');
    const afterKill = await allDelivered(killIds, '1', true);
    for (const [phoneId, times] of afterKill) {
      const twice = times.filter((n) => n > 1);
      assert.ok(twice.length <= 1, `phone ${phoneId}: at most the one message in flight at the kill arrived again (${JSON.stringify(times)})`);
    }

    // 2. A new node A takes back its share; SIGTERM (drain) it while it sends: nothing is resent.
    await launch('a');
    const second = await spread('the new node A runs two phones again');
    const a2Id = [...second.keys()].find((id) => id.startsWith('a_'))!;
    const drainIds = await submit(b, second.get(a2Id)!, '2');
    await eventually('the new node A sent a few of them', async () => ((await sentCount(db, [...drainIds.values()].flat())) >= 4 ? true : undefined), 120_000, 50);
    const a2 = nodes.get('a')!;
    a2.child.kill('SIGTERM');
    assert.equal(await a2.exited, 0, 'the drained node exits cleanly');
    nodes.delete('a');
    const afterDrain = await allDelivered(drainIds, '2');
    for (const [phoneId, times] of afterDrain) assert.ok(times.every((n) => n === 1), `phone ${phoneId}: every message arrived once after the drain (${JSON.stringify(times)})`);
  });
}
