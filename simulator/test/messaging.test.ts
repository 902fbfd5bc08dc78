// Messages through the real Baileys client: a phone writes to contacts (device lists, pre-keys,
// Signal, the server ack), contacts answer with receipts, and contacts write to the phone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BinaryNode, WAMessageUpdate } from '@whiskeysockets/baileys';
import { proto } from '@whiskeysockets/baileys';
import { startSimulator, type Simulator } from '../index';
import { pairPhone, trackUnhandled, type Client } from './helpers';

let sim: Simulator;
let n = 0;
const nextPhone = () => `7706100${String(++n).padStart(4, '0')}@s.whatsapp.net`;
const nextContact = () => `4915200${String(++n).padStart(4, '0')}@s.whatsapp.net`;

test.before(async () => {
  sim = await startSimulator({ port: 0 });
});
test.after(() => sim.close());

async function until<T>(what: string, fn: () => T | undefined | null | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

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
  await until('server ack', () => seen.acks.find((a) => a.attrs.id === id));
  await until('delivered', () => seen.statusOf(id) === proto.WebMessageInfo.Status.DELIVERY_ACK);
  const inbox = await until('inbox', () => sim.messaging.inbox(contact).find((m) => m.id === id));
  assert.deepEqual({ from: inbox.from, kind: inbox.kind, text: inbox.text, times: inbox.times }, { from: phone, kind: 'text', text: 'Привет from the phone', times: 1 });
  // The second message rides the session the first one started (a "msg", no key fetch); this
  // contact now reads too. (Baileys buffers events and may merge DELIVERY_ACK into READ.)
  sim.messaging.configureContact(contact, { receipts: { read: 30 } });
  const keyFetches = sim.events().filter((e) => e.type === 'key-fetch').length;
  const second = await client.sock.sendMessage(contact, { text: 'second' });
  await until('read', () => seen.statusOf(second!.key.id!) === proto.WebMessageInfo.Status.READ);
  assert.equal(sim.messaging.inbox(contact).find((m) => m.id === second!.key.id)?.text, 'second');
  assert.equal(sim.events().filter((e) => e.type === 'key-fetch').length, keyFetches, 'no new key fetch');
  assert.deepEqual(sim.messaging.phoneSent(phone).map((s) => [s.id, s.to, s.times, s.acked]), [[id, contact, 1, true], [second!.key.id, contact, 1, true]]);
  assert.equal(seen.statusOf(id), proto.WebMessageInfo.Status.DELIVERY_ACK, 'the first one was never read');
  await stop(client);
  unhandled.stop();
  assert.deepEqual(unhandled.seen, []);
});
