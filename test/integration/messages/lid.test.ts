// A contact WhatsApp moved to LID addressing (the simulator's per-contact switch), on each engine:
// it wrote from its number, then writes on the same Signal session from its LID (`sender_pn`,
// `addressing_mode="lid"`). Baileys 7 stores the mapping, decrypts, and the console stores the
// message in the number's chat with the LID beside it; writing to the number reaches the contact
// (usync answers its LID, 7 encrypts to the LID's session). Baileys 6.7 cannot decrypt it (no
// session under the LID): the console names it `pn-lid-mismatch`, counts nothing, deletes nothing.
// First, each engine writes to a number that never wrote to it (7: the LID from usync).
// On SQLite and PostgreSQL: 7's lid-mapping keys and the moved session are stored by each store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lidOf } from '../../../simulator';
import { pairByQr, startEngineHarness } from '../../support/harness';
import { testProviders } from '../../support/databases';
import { eventually } from '../../support/eventually';
import { ENGINE_NAMES } from '../../../lib/sessions/engines/types';

const run = `${process.pid % 1000}`.padStart(3, '0');

for (const [p, provider] of testProviders().entries()) test(`${provider}: a contact moved to LID addressing, on each engine (one phone per engine, side by side)`, { timeout: 180_000 }, async (t) => {
  const { sim, tdb, manager, rec } = await startEngineHarness(t, { provider });
  await Promise.all(ENGINE_NAMES.map(async (engine, i) => {
    const phoneJid = `7794${run}${p}${i}01@s.whatsapp.net`;
    const contact = `4915400${run}${p}${i}02@s.whatsapp.net`;
    const lid = lidOf(contact);
    const phone = await pairByQr({ sim, tdb, manager, rec }, phoneJid, 'LID org', engine);
    const received = (id: string) => rec.waitFor((e) => e.type === 'message.received' && e.messageId === id, 60_000);
    /** The phone writes to a contact's number through the console's queue; the contact reads it. */
    const writeToNumber = async (text: string, n: number, to = contact) => {
      const messageId = `LID${run}${p}${i}TEST${n}`;
      await tdb.db.message.create({ data: { phoneId: phone.id, messageId, direction: 'out', chatJid: to, senderJid: phoneJid, kind: 'text', body: text, status: 'queued' } });
      manager.messageQueued(phone.id);
      const shown = await eventually(`${engine}: "${text}" in the contact's inbox`, () => sim.messaging.inbox(to).find((m) => m.id === messageId));
      assert.deepEqual([shown.kind, shown.text], ['text', text]);
    };

    // A first message to a number that never wrote to the phone: 7 has no mapping yet and asks
    // usync for the LID (it fetches keys and encrypts under the LID only); it must reach the contact.
    const stranger = `4915400${run}${p}${i}03@s.whatsapp.net`;
    await writeToNumber('to a new contact', 0, stranger);
    if (engine === 'baileys-7') {
      await manager.settled();
      const mapping = await tdb.db.authKey.findMany({ where: { phoneId: phone.id, type: 'lid-mapping' }, select: { keyId: true } });
      assert.ok(mapping.some((k) => k.keyId === stranger.split('@')[0]), `the new contact's lid-mapping from usync: ${mapping.map((k) => k.keyId).join(', ')}`);
    }

    // Before the move: the contact and the phone write to each other by number (one session, both ways).
    const before = await sim.messaging.sendFromContact(contact, { to: phoneJid, text: 'from my number' });
    const first = await received(before.id);
    assert.equal(first.type === 'message.received' && first.chatJid, contact);
    await writeToNumber('to your number', 1);

    // WhatsApp moves the contact to LID addressing (its sessions move with it).
    assert.equal(sim.messaging.configureContact(contact, { addressing: 'lid' }).lid, lid);
    // The contact writes on its session (a `msg`), from its LID with sender_pn.
    const mark = rec.mark();
    const after = await sim.messaging.sendFromContact(contact, { to: phoneJid, text: 'from my LID' });
    if (engine === 'baileys-7') {
      const got = await received(after.id);
      assert.deepEqual(got.type === 'message.received' && [got.chatJid, got.senderLid], [contact, lid], 'stored in the number chat, the LID beside it');
      await manager.settled();
      const row = await tdb.db.message.findFirstOrThrow({ where: { phoneId: phone.id, messageId: after.id } });
      assert.deepEqual([row.direction, row.chatJid, row.senderJid, row.body], ['in', contact, contact, 'from my LID']);
      const mapping = await tdb.db.authKey.findMany({ where: { phoneId: phone.id, type: 'lid-mapping' }, select: { keyId: true } });
      assert.ok(mapping.some((k) => k.keyId.startsWith(contact.split('@')[0]) || k.keyId.startsWith(lid.split('@')[0])), `the contact's lid-mapping stored: ${mapping.map((k) => k.keyId).join(', ')}`);
      assert.equal(rec.events.slice(mark).filter((e) => e.type === 'decrypt-failure' && e.phoneId === phone.id).length, 0);
    } else {
      // 6.7 has the session under the number only: "No session record" under the LID, named for what it is.
      const failure = await rec.waitFor((e) => e.type === 'decrypt-failure' && e.phoneId === phone.id, 60_000, mark);
      assert.deepEqual(failure.type === 'decrypt-failure' && [failure.kind, failure.sender, failure.count, failure.deletedKeys], ['pn-lid-mismatch', lid, null, 0]);
      assert.deepEqual(manager.getSessionErrorStats(phone.id), { badMacErrors: 0, badDecryptErrors: 0, maxBadMacErrors: 3, maxBadDecryptErrors: 5, isHealthy: true });
      await manager.settled();
      const session = await tdb.db.authKey.findFirst({ where: { phoneId: phone.id, type: 'session', keyId: `${contact.split('@')[0]}.0` } });
      assert.ok(session, "the number's good session is kept");
      // 6.7 asks its own phone to resend it (a peer message, 5 s later): let that finish before the teardown.
      await eventually('6.7 asked its phone for a resend', () => sim.messaging.phoneSent(phoneJid).some((m) => m.to === phoneJid && m.acked));
    }
    // Either way the number still reaches the contact (7: through the mapping, to the LID's session).
    await writeToNumber('still there', 2);
  }));
});
