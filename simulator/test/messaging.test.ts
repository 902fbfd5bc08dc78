// Messages through the real Baileys client: a phone writes to contacts (device lists, pre-keys,
// Signal, the server ack), contacts answer with receipts, and contacts write to the phone.
import crypto from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BinaryNode, WAMessageUpdate } from '@whiskeysockets/baileys';
import { proto } from '@whiskeysockets/baileys';
import { lidOf, startSimulator, type Simulator } from '../index';
// The console's own media agent (demo and test mode) is the client the simulator serves.
import { mediaHostAgent } from '../../lib/messages/media-host';
import { connect, pairPhone, trackUnhandled, type Client } from './helpers';
import { eventually } from '../../test/support/eventually';

let sim: Simulator;
let n = 0;
const nextPhone = () => `7706100${String(++n).padStart(4, '0')}@s.whatsapp.net`;
const nextContact = () => `4915200${String(++n).padStart(4, '0')}@s.whatsapp.net`;

test.before(async () => {
  sim = await startSimulator({ port: 0 });
});
test.after(() => sim.close());

/**
 * Collects what Baileys reports about the messages it sent: server acks (raw `ack` nodes: 6.7.24
 * emits no SERVER_ACK status) and statuses. A receipt that arrives while Baileys still buffers the
 * sent message's own upsert is merged into that upsert (status on the `messages.upsert` item), so
 * both events count.
 */
function watch(client: Client) {
  const acks: BinaryNode[] = [];
  const updates: WAMessageUpdate[] = [];
  client.sock.ws.on('CB:ack,class:message', (node: BinaryNode) => acks.push(node));
  client.sock.ev.on('messages.update', (list) => updates.push(...list));
  client.sock.ev.on('messages.upsert', ({ messages }) => {
    for (const m of messages) if (m.key.fromMe && m.status != null) updates.push({ key: m.key, update: { status: m.status } });
  });
  const statusOf = (id: string) => Math.max(-1, ...updates.filter((u) => u.key.id === id && u.update.status != null).map((u) => u.update.status!));
  return { acks, updates, statusOf };
}

function stop(client: Client) {
  client.sock.end(undefined);
  return client.closed;
}

test('a phone sends a text: the contact decrypts it, the server acks, receipts become DELIVERY_ACK then READ', async () => {
  const unhandled = trackUnhandled();
  const phone = nextPhone();
  const contact = nextContact();
  const client = await pairPhone(sim, phone);
  const seen = watch(client);
  sim.messaging.configureContact(contact, { receipts: { delivery: 0, read: 'never' } });
  const sent = await client.sock.sendMessage(contact, { text: 'Привет from the phone' });
  const id = sent!.key.id!;
  await eventually('server ack', () => seen.acks.find((a) => a.attrs.id === id));
  await eventually('delivered', () => seen.statusOf(id) === proto.WebMessageInfo.Status.DELIVERY_ACK);
  const inbox = await eventually('inbox', () => sim.messaging.inbox(contact).find((m) => m.id === id));
  assert.deepEqual({ from: inbox.from, kind: inbox.kind, text: inbox.text, times: inbox.times }, { from: phone, kind: 'text', text: 'Привет from the phone', times: 1 });
  // The second message rides the session the first one started (a "msg", no key fetch); this
  // contact now reads too. (Baileys buffers events and may merge DELIVERY_ACK into READ.)
  sim.messaging.configureContact(contact, { receipts: { read: 30 } });
  const keyFetches = sim.events().filter((e) => e.type === 'key-fetch').length;
  const second = await client.sock.sendMessage(contact, { text: 'second' });
  await eventually('read', () => seen.statusOf(second!.key.id!) === proto.WebMessageInfo.Status.READ);
  assert.equal(sim.messaging.inbox(contact).find((m) => m.id === second!.key.id)?.text, 'second');
  assert.equal(sim.events().filter((e) => e.type === 'key-fetch').length, keyFetches, 'no new key fetch');
  assert.deepEqual(sim.messaging.phoneSent(phone).map((s) => [s.id, s.to, s.times, s.acked]), [[id, contact, 1, true], [second!.key.id, contact, 1, true]]);
  assert.equal(seen.statusOf(id), proto.WebMessageInfo.Status.DELIVERY_ACK, 'the first one was never read');
  await stop(client);
  unhandled.stop();
  assert.deepEqual(unhandled.seen, []);
});

test('a resend under the same id is shown once and counted; with acks off the server drops the stanza unacked', async () => {
  const phone = nextPhone();
  const contact = nextContact();
  const client = await pairPhone(sim, phone);
  const seen = watch(client);
  const first = await client.sock.sendMessage(contact, { text: 'once' });
  const id = first!.key.id!;
  await eventually('shown', () => sim.messaging.inbox(contact).find((m) => m.id === id));
  // What a console does after a crash: the stored message again, under its stored id.
  await client.sock.relayMessage(contact, first!.message!, { messageId: id });
  await eventually('counted twice', () => sim.messaging.inbox(contact).find((m) => m.id === id && m.times === 2));
  assert.equal(sim.messaging.inbox(contact).length, 1);
  await eventually('each stanza acked', () => seen.acks.filter((a) => a.attrs.id === id).length === 2);

  sim.messaging.configurePhone(phone, { ack: false });
  const since = sim.events().at(-1)!.seq;
  const lost = await client.sock.sendMessage(contact, { text: 'no ack' });
  const lostId = lost!.key.id!;
  await eventually('dropped', () => sim.events(since).find((e) => e.type === 'message-unacked' && (e.detail as { id: string }).id === lostId));
  assert.equal(seen.acks.some((a) => a.attrs.id === lostId), false, 'the ack is sent before that event or never');
  assert.equal(sim.messaging.inbox(contact).some((m) => m.id === lostId), false);
  assert.deepEqual(sim.messaging.phoneSent(phone).find((s) => s.id === lostId), { ...sim.messaging.phoneSent(phone).find((s) => s.id === lostId)!, acked: false, times: 1 });
  sim.messaging.configurePhone(phone, { ack: null }); // back to the global setting (ack)
  await client.sock.relayMessage(contact, lost!.message!, { messageId: lostId });
  await eventually('acked on resend', () => seen.acks.find((a) => a.attrs.id === lostId));
  const entry = await eventually('shown', () => sim.messaging.inbox(contact).find((m) => m.id === lostId));
  assert.equal(entry.times, 1, 'the dropped stanza never reached the contact');
  await stop(client);
});

test('a number marked not on WhatsApp: onWhatsApp says so and sending fails at the key fetch', async () => {
  const phone = nextPhone();
  const absent = nextContact();
  const present = nextContact();
  const client = await pairPhone(sim, phone);
  sim.messaging.configureContact(absent, { notOnWhatsApp: true });
  const found = await client.sock.onWhatsApp(absent, present);
  assert.deepEqual(found?.map((f) => [f.jid, f.exists]), [[present, true]], 'Baileys lists only numbers that exist');
  await assert.rejects(client.sock.sendMessage(absent, { text: 'hello?' }), /item-not-found/);
  assert.equal(sim.messaging.inbox(absent).length, 0);
  await stop(client);
});

test('contacts write to a phone over the control API: text, a reaction, an image Baileys downloads; offline delivery at login', async () => {
  const phone = nextPhone();
  const contact = nextContact();
  const client = await pairPhone(sim, phone);
  const upserts: import('@whiskeysockets/baileys').WAMessage[] = [];
  client.sock.ev.on('messages.upsert', ({ messages }) => upserts.push(...messages.filter((m) => !m.key.fromMe)));
  const post = async (path: string, body: unknown) => {
    const res = await fetch(sim.controlUrl + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as { id: string; error?: string } };
  };
  const text = await post(`/contacts/${contact.split('@')[0]}/send`, { to: phone, text: 'hello phone' });
  assert.equal(text.status, 200);
  const got = await eventually('text', () => upserts.find((m) => m.key.id === text.body.id));
  assert.equal(got.message?.conversation, 'hello phone');
  assert.equal(got.key.remoteJid, contact);
  await eventually('delivered to the phone', () => sim.messaging.contactSent(contact).find((s) => s.id === text.body.id && s.status === 'delivered'));

  // The phone answers; the contact reacts to that answer.
  const answer = await client.sock.sendMessage(contact, { text: 'hi contact' });
  await eventually('answer shown', () => sim.messaging.inbox(contact).find((m) => m.id === answer!.key.id));
  const reaction = await post(`/contacts/${contact}/send`, { to: phone, reaction: { id: answer!.key.id, text: '👍' } });
  const r = await eventually('reaction', () => upserts.find((m) => m.key.id === reaction.body.id));
  assert.equal(r.message?.reactionMessage?.text, '👍');
  assert.equal(r.message?.reactionMessage?.key?.id, answer!.key.id);

  const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5e2b3f40000000049454e44ae426082', 'hex');
  const image = await post(`/contacts/${contact}/send`, { to: phone, media: { kind: 'image', mimetype: 'image/png', data: png.toString('base64'), caption: 'a pixel' } });
  assert.equal(image.status, 200, image.body.error);
  const m = await eventually('image', () => upserts.find((x) => x.key.id === image.body.id));
  assert.equal(m.message?.imageMessage?.caption, 'a pixel');
  const { downloadMediaMessage } = await import('@whiskeysockets/baileys');
  const agent = mediaHostAgent(sim.media);
  const data = await downloadMediaMessage(m, 'buffer', { options: { httpsAgent: agent } } as never);
  assert.deepEqual(data, png, 'Baileys downloads from mmg.whatsapp.net (mapped to the simulator) and decrypts');
  agent.destroy();

  // Sent while the phone is offline: kept, delivered at its next login.
  await stop(client);
  const offline = await post(`/contacts/${contact}/send`, { to: phone, text: 'while you were away' });
  assert.equal(offline.status, 200);
  const again = connect(sim.url, client.auth);
  const later: string[] = [];
  again.sock.ev.on('messages.upsert', ({ messages }) => later.push(...messages.map((x) => x.message?.conversation ?? '')));
  await eventually('offline message', () => later.includes('while you were away'));
  await stop(again);
});

test('a phone sends an image and a document: uploaded over HTTPS to the simulator, the contact decrypts and checks them', async () => {
  const phone = nextPhone();
  const contact = nextContact();
  const agent = mediaHostAgent(sim.media);
  const client = await pairPhone(sim, phone, { socket: { fetchAgent: agent } });
  const jpeg = Buffer.concat([Buffer.from('ffd8ffe0', 'hex'), Buffer.alloc(5000, 7)]);
  const sentImage = await client.sock.sendMessage(contact, { image: jpeg, caption: 'look', mimetype: 'image/jpeg', jpegThumbnail: '' }).catch((err) => {
    console.log(JSON.stringify(sim.events().filter((e) => e.type.startsWith('media'))));
    throw err;
  });
  const doc = Buffer.from('%PDF-1.4 simulated document\n'.repeat(100));
  const sentDoc = await client.sock.sendMessage(contact, { document: doc, mimetype: 'application/pdf', fileName: 'report.pdf' });
  const img = await eventually('image', () => sim.messaging.inbox(contact).find((m) => m.id === sentImage!.key.id));
  assert.equal(img.kind, 'image');
  assert.equal(img.caption, 'look');
  assert.deepEqual(img.media, { mimetype: 'image/jpeg', fileName: null, size: jpeg.length, sha256: crypto.createHash('sha256').update(jpeg).digest('hex'), verified: true });
  const pdf = await eventually('document', () => sim.messaging.inbox(contact).find((m) => m.id === sentDoc!.key.id));
  assert.equal(pdf.media?.fileName, 'report.pdf');
  assert.equal(pdf.media?.verified, true);
  const res = await fetch(`${sim.controlUrl}/contacts/${contact}/inbox/${sentDoc!.key.id}/media`);
  assert.equal(res.headers.get('content-type'), 'application/pdf');
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), doc);
  await stop(client);
  agent.destroy();
});

test('a contact that cannot read a message sends a retry receipt: Baileys fetches fresh keys and resends it under the same id', async () => {
  const phone = nextPhone();
  const contact = nextContact();
  const sentByPhone = new Map<string, import('@whiskeysockets/baileys').proto.IMessage>();
  const client = await pairPhone(sim, phone, { socket: { getMessage: async (key) => sentByPhone.get(key.id!) } });
  const first = await client.sock.sendMessage(contact, { text: 'sets up the session' });
  sentByPhone.set(first!.key.id!, first!.message!);
  await eventually('first', () => sim.messaging.inbox(contact).find((m) => m.id === first!.key.id && m.kind === 'text'));
  await sim.messaging.resetSessions(contact);
  const fetches = sim.events().filter((e) => e.type === 'key-fetch').length;
  const second = await client.sock.sendMessage(contact, { text: 'after the reset' });
  sentByPhone.set(second!.key.id!, second!.message!);
  const entry = await eventually('read after the retry', () => sim.messaging.inbox(contact).find((m) => m.id === second!.key.id && m.kind === 'text'));
  assert.equal(entry.text, 'after the reset');
  assert.equal(entry.times, 2, 'the first stanza could not be read, the resend could');
  assert.equal(entry.retries, 1);
  assert.ok(sim.events().filter((e) => e.type === 'key-fetch').length > fetches, 'Baileys fetched the contact keys again');
  await stop(client);
});

test('messaging control routes: settings round-trip, the media CA, bad input gets 400/404 JSON', async () => {
  const call = async (method: string, path: string, body?: string) => {
    const res = await fetch(sim.controlUrl + path, { method, headers: { 'content-type': 'application/json' }, body });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const put = await call('PUT', '/settings/messaging', JSON.stringify({ receipts: { read: 1500 } }));
  assert.deepEqual(put.body, { receipts: { delivery: 0, read: 1500 }, ack: true });
  assert.deepEqual((await call('PUT', '/settings/messaging', JSON.stringify({ receipts: { read: 'never' } }))).body.receipts, { delivery: 0, read: 'never' });
  const contact = await call('PUT', '/contacts/+49 152 0000 0777', JSON.stringify({ receipts: { delivery: 10 } }));
  assert.deepEqual(contact.body, { jid: '4915200000777@s.whatsapp.net', lid: lidOf('4915200000777@s.whatsapp.net'), addressing: 'pn', notOnWhatsApp: false, receipts: { delivery: 10, read: 'never' }, received: 0, sent: 0 });
  const ca = await call('GET', '/media/ca');
  assert.equal(ca.status, 200);
  assert.match(String(ca.body.caPem), /^-----BEGIN CERTIFICATE-----/);
  assert.deepEqual([ca.body.host, ca.body.port], [sim.media.host, sim.media.port]);
  assert.equal('auth' in ca.body, false);
  const cases: [string, string, string | undefined, number][] = [
    ['PUT', '/settings/messaging', '{"receipts":{"delivery":-1}}', 400],
    ['PUT', '/settings/messaging', '{"acks":true}', 400],
    ['PUT', '/contacts/4915200000777', '{"notOnWhatsApp":"yes"}', 400],
    ['PUT', '/phones/77061000001/messaging', '{"ack":"no"}', 400],
    ['POST', '/contacts/4915200000777/send', '{}', 400],
    ['POST', '/contacts/4915200000777/send', '{"to":"77061000001","text":"a","reaction":{"id":"X","text":"x"}}', 400],
    ['POST', '/contacts/4915200000777/send', '{"to":"77069999999","text":"a"}', 404],
    ['POST', '/contacts/4915200000777/send', '{"to":"77061000001","media":{"kind":"gif","mimetype":"x","data":"AA=="}}', 400],
    ['GET', '/contacts/abc/inbox', undefined, 400],
    ['GET', '/contacts/4915200000777/inbox/NOPE/media', undefined, 404],
    ['GET', '/contacts/4915200000777/nothing', undefined, 404],
  ];
  for (const [method, path, body, status] of cases) {
    const res = await call(method, path, body);
    assert.equal(res.status, status, `${method} ${path} ${body}`);
    assert.equal(typeof res.body.error, 'string');
  }
});
