// Who a received message is from (lib/messages/inbound.ts): the sender's number and LID from the
// key as each engine shapes it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inboundAddresses } from '../../../lib/messages/inbound';

const PN = '4915400000001@s.whatsapp.net';
const LID = '123456789012345@lid';

test('a LID sender: its number from Baileys 7 remoteJidAlt or 6.7 senderPn; a number sender: its LID from the alt', () => {
  assert.deepEqual(inboundAddresses({ remoteJid: LID, remoteJidAlt: PN } as never), { chat: LID, sender: LID, senderPn: PN, senderLid: LID });
  assert.deepEqual(inboundAddresses({ remoteJid: LID, senderPn: PN } as never), { chat: LID, sender: LID, senderPn: PN, senderLid: LID });
  assert.deepEqual(inboundAddresses({ remoteJid: PN, remoteJidAlt: LID } as never), { chat: PN, sender: PN, senderPn: PN, senderLid: LID });
  assert.deepEqual(inboundAddresses({ remoteJid: PN } as never), { chat: PN, sender: PN, senderPn: PN, senderLid: null });
  assert.deepEqual(inboundAddresses({ remoteJid: LID } as never), { chat: LID, sender: LID, senderPn: null, senderLid: LID }, 'no number known: the caller asks the lid-mapping');
});

test('a group message: the participant is the sender (participantAlt / participantPn), devices dropped', () => {
  const group = '120363000000000001@g.us';
  assert.deepEqual(inboundAddresses({ remoteJid: group, participant: '123456789012345:3@lid', participantAlt: '4915400000001:3@s.whatsapp.net' } as never), { chat: group, sender: '123456789012345:3@lid', senderPn: PN, senderLid: LID });
  assert.deepEqual(inboundAddresses({ remoteJid: group, participant: LID, participantPn: PN, remoteJidAlt: '999@s.whatsapp.net' } as never), { chat: group, sender: LID, senderPn: PN, senderLid: LID });
});
