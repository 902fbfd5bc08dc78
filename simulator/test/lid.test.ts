// A contact's addressing switch (`pn` | `lid`) with the real Baileys 6.7 client: the usync `lid`
// protocol answers every contact's LID (in either addressing), a moved contact's messages come from its LID
// with `sender_pn` and `addressing_mode="lid"`, and a phone writing to the LID reaches the contact.
// (Baileys 7 storing the mapping and writing to the number: test/integration/messages/lid.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BinaryNode, WAMessage } from '@whiskeysockets/baileys';
import { lidOf, startSimulator, type ContactInfo, type Simulator } from '../index';
import { pairPhone } from './helpers';
import { eventually } from '../../test/support/eventually';

let sim: Simulator;
test.before(async () => {
  sim = await startSimulator({ port: 0 });
});
test.after(() => sim.close());

const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(sim.controlUrl + path, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

test('a contact in LID addressing: usync answers its LID, it writes from its LID with sender_pn, a phone writing to the LID reaches it', async () => {
  const phone = '77062000001@s.whatsapp.net';
  const moved = '4915300000001@s.whatsapp.net';
  const stayed = '4915300000002@s.whatsapp.net';
  const client = await pairPhone(sim, phone);
  const upserts: WAMessage[] = [];
  const stanzas: BinaryNode[] = [];
  client.sock.ev.on('messages.upsert', ({ messages }) => upserts.push(...messages.filter((m) => !m.key.fromMe)));
  client.sock.ws.on('CB:message', (node: BinaryNode) => stanzas.push(node));

  // The switch, over the control API; every contact has its LID, written from only in `lid` addressing.
  const set = await call('PUT', `/contacts/${moved.split('@')[0]}`, { addressing: 'lid' });
  assert.equal(set.status, 200);
  const lid = lidOf(moved);
  assert.match(lid, /^\d{15}@lid$/);
  assert.deepEqual([set.body.jid, set.body.lid, set.body.addressing], [moved, lid, 'lid']);
  await call('PUT', `/contacts/${stayed}`, {});
  const list = (await call('GET', '/contacts')).body as unknown as ContactInfo[];
  assert.deepEqual(list.filter((c) => [moved, stayed].includes(c.jid)).map((c) => [c.jid, c.addressing]), [[moved, 'lid'], [stayed, 'pn']]);
  assert.equal((await call('PUT', `/contacts/${moved}`, { addressing: 'both' })).status, 400);

  // usync with the `lid` protocol (6.7's onWhatsApp asks for it): each contact's LID, moved or not,
  // as WhatsApp answers (Baileys 7 needs it to write to anyone: it encrypts under the LID).
  const found = await client.sock.onWhatsApp(moved, stayed);
  assert.deepEqual(found?.map((f) => [f.jid, f.exists, f.lid ?? null]).sort(), [[moved, true, lid], [stayed, true, lidOf(stayed)]]);

  // The moved contact writes: from its LID, its number in sender_pn, addressing_mode lid.
  const sent = await call('POST', `/contacts/${moved}/send`, { to: phone, text: 'from my LID' });
  assert.equal(sent.status, 200);
  const got = await eventually('the LID message', () => upserts.find((m) => m.key.id === sent.body.id));
  assert.equal(got.message?.conversation, 'from my LID', '6.7 decrypts a first message (pkmsg) under the LID');
  assert.equal(got.key.remoteJid, lid);
  assert.equal((got.key as { senderPn?: string }).senderPn, moved);
  const stanza = stanzas.find((s) => s.attrs.id === sent.body.id)!;
  assert.deepEqual([stanza.attrs.from, stanza.attrs.sender_pn, stanza.attrs.addressing_mode], [lid, moved, 'lid']);

  // The phone answers the LID chat: the simulator resolves the LID to its contact (usync, key fetch, message).
  const answer = await client.sock.sendMessage(lid, { text: 'to your LID' });
  const shown = await eventually('the answer in the contact inbox', () => sim.messaging.inbox(moved).find((m) => m.id === answer!.key.id));
  assert.deepEqual([shown.kind, shown.text], ['text', 'to your LID']);

  // The other contact still writes from its number, without LID attributes.
  const plain = await call('POST', `/contacts/${stayed}/send`, { to: phone, text: 'from my number' });
  const p = await eventually('the number message', () => stanzas.find((s) => s.attrs.id === plain.body.id));
  assert.deepEqual([p.attrs.from, p.attrs.sender_pn, p.attrs.addressing_mode], [stayed, undefined, undefined]);

  client.sock.end(undefined);
  await client.closed;
});
