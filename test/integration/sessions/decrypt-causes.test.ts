// The two decryption causes the simulator produces through libsignal's real checks on the device
// (issue 25 item 6): a pkmsg naming a pre-key the device never published ("Invalid PreKey ID") and
// a WhisperMessage delivered twice ("Key used already or never filled", reported by Baileys as "No
// matching sessions found for message"). On both engines each is named for its cause, counts
// towards neither of the seed's limits and deletes no key: a new session would not help either.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEngineHarness, pairByQr } from '../../support/harness';
import { ENGINE_NAMES } from '../../../lib/sessions/engines/types';
import { eventually } from '../../support/eventually';
import type { SessionEngineEvent } from '../../../lib/sessions/types';

const ZERO_STATS = { badMacErrors: 0, badDecryptErrors: 0, maxBadMacErrors: 3, maxBadDecryptErrors: 5, isHealthy: true };
const CONTACT = '15550001111@s.whatsapp.net';

for (const engine of ENGINE_NAMES) {
  test(`sqlite: invalid-prekey and duplicate are classified, not counted, nothing deleted, on ${engine}`, async (t) => {
    const h = await startEngineHarness(t, { provider: 'sqlite' });
    const { sim, tdb, manager, rec } = h;
    let n = 0;
    const nextJid = () => `7708${engine === 'baileys-6' ? 6 : 7}00${String(++n).padStart(5, '0')}@s.whatsapp.net`;
    const failureOf = (phoneId: number, kind: string) => (e: SessionEngineEvent) => e.type === 'decrypt-failure' && e.phoneId === phoneId && e.kind === kind;
    const receivedOf = (phoneId: number) => (e: SessionEngineEvent) => e.type === 'message.received' && e.phoneId === phoneId;
    // Baileys answers a failure with a retry receipt, on 6.7 only after a 5 s wait and a query of
    // its own it does not await; the subtest ends once the receipt is in, not with that query in flight.
    const retryReceiptSent = (jid: string, since: number) =>
      eventually('the retry receipt for the failed message', () => sim.events(since).some((e) => e.phoneJid === jid && e.type === 'retry-receipt'));
    // The contact is the phone's only peer. Its session is stored under its number on 6.7 and
    // under its LID on 7 (usync told 7 the LID, and 7 moves a contact's session there).
    const contactSessions = (phoneId: number) => tdb.db.authKey.count({ where: { phoneId, type: 'session' } });

    await t.test('invalid-prekey: a pkmsg naming a pre-key the device never published', async () => {
      const jid = nextJid();
      const phone = await pairByQr(h, jid, 'Test org', engine);
      const mark = rec.mark();
      const simMark = sim.events().at(-1)?.seq ?? 0;
      await sim.inject(jid, { type: 'invalid-prekey' });
      const failure = await rec.waitFor(failureOf(phone.id, 'invalid-prekey'), 60_000, mark);
      assert.ok(failure.type === 'decrypt-failure');
      assert.deepEqual([failure.errorType, failure.sender, failure.count, failure.max, failure.deletedKeys], ['Invalid PreKey ID', CONTACT, null, null, 0]);
      assert.deepEqual(manager.getSessionErrorStats(phone.id), ZERO_STATS);
      await manager.settled();
      const stored = await tdb.db.sessionEvent.findMany({ where: { phoneId: phone.id, type: { startsWith: 'decrypt:' } } });
      assert.deepEqual(stored.map((e) => e.type), ['decrypt:invalid-prekey']);
      // The device stored nothing for it; the contact's next message starts a session that works.
      const again = rec.mark();
      await sim.inject(jid, { type: 'message', text: 'after the unknown pre-key' });
      await rec.waitFor(receivedOf(phone.id), 60_000, again);
      assert.equal(rec.events.slice(mark).filter((e) => e.type === 'decrypt-failure' && e.phoneId === phone.id).length, 1);
      assert.deepEqual(manager.getSessionErrorStats(phone.id), ZERO_STATS);
      assert.equal(manager.snapshot(phone.id)?.state, 'open');
      await retryReceiptSent(jid, simMark);
    });

    await t.test('duplicate: the same WhisperMessage again; the good session is kept and still decrypts', async () => {
      const jid = nextJid();
      const phone = await pairByQr(h, jid, 'Test org', engine);
      const mark = rec.mark();
      const simMark = sim.events().at(-1)?.seq ?? 0;
      await sim.inject(jid, { type: 'duplicate' });
      // First the good message that sets the session up, then the replay of its counter.
      await rec.waitFor(receivedOf(phone.id), 60_000, mark);
      const failure = await rec.waitFor(failureOf(phone.id, 'duplicate'), 60_000, mark);
      assert.ok(failure.type === 'decrypt-failure');
      // Baileys reports the generic text; the cause is libsignal's (lib/sessions/signal-causes.ts).
      assert.deepEqual([failure.errorType, failure.sender, failure.count, failure.max, failure.deletedKeys], ['No matching sessions found for message', CONTACT, null, null, 0]);
      assert.deepEqual(manager.getSessionErrorStats(phone.id), ZERO_STATS);
      await manager.settled();
      assert.ok((await contactSessions(phone.id)) >= 1, "the contact's session was not deleted");
      const stored = await tdb.db.sessionEvent.findMany({ where: { phoneId: phone.id, type: { startsWith: 'decrypt:' } } });
      assert.deepEqual(stored.map((e) => e.type), ['decrypt:duplicate']);
      // The kept session goes on: the contact's next message (on it, next counter) decrypts.
      const again = rec.mark();
      await sim.inject(jid, { type: 'message', text: 'after the duplicate' });
      await rec.waitFor(receivedOf(phone.id), 60_000, again);
      assert.equal(rec.events.slice(again).filter((e) => e.type === 'decrypt-failure' && e.phoneId === phone.id).length, 0);
      assert.deepEqual(manager.getSessionErrorStats(phone.id), ZERO_STATS);
      assert.equal(manager.snapshot(phone.id)?.health, 'healthy');
      await retryReceiptSent(jid, simMark);
    });
  });
}
