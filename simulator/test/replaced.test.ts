// Like WhatsApp: one live connection per linked device. A second login of the same device
// replaces the older connection with <stream:error><conflict type='replaced'/> (Baileys: 440),
// and the simulator counts every overlap (two live connections of one device at one moment).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../index';
import { connect, pairPhone } from './helpers';
import { DEFAULT_DEADLINE_MS, eventually } from '../../test/support/eventually';

let sim: Simulator;
test.before(async () => {
  sim = await startSimulator({ port: 0 });
});
test.after(() => sim.close());

const info = (jid: string) => sim.phones().find((p) => p.phoneJid === jid);

test('a second connection of the same device replaces the first (440) and counts one overlap', async () => {
  const jid = '77051110001@s.whatsapp.net';
  const first = await pairPhone(sim, jid);
  assert.equal(info(jid)?.overlaps, 0, 'pairing (registration connection, 515, login) is no overlap');
  assert.equal(info(jid)?.connections, 1);
  const since = sim.events().at(-1)?.seq ?? 0;

  const second = connect(sim.url, first.auth);
  await second.next((u) => u.connection === 'open');
  const closed = await first.closed;
  assert.equal(closed.statusCode, 440, `the older client is told it was replaced: ${closed.message}`);
  assert.equal(info(jid)?.overlaps, 1);
  await eventually('one live connection', () => info(jid)?.connections === 1, DEFAULT_DEADLINE_MS, 20);

  const events = sim.events(since);
  const overlap = events.find((e) => e.type === 'overlap' && e.phoneJid === jid);
  assert.ok(overlap, 'an overlap event is recorded');
  const replaced = events.find((e) => e.type === 'replaced' && e.phoneJid === jid) as { detail: { conn: number; by: number } } | undefined;
  assert.ok(replaced && replaced.detail.conn < replaced.detail.by, 'the older connection is the one replaced');

  // The newer connection keeps working: a message reaches it.
  await sim.inject(jid, { type: 'message', text: 'to the newer one' });
  assert.equal((await second.nextMessage()).text, 'to the newer one');

  // GET /phones shows overlaps next to connections.
  const phones = (await (await fetch(`${sim.controlUrl}/phones`)).json()) as { phoneJid: string; connections: number; overlaps: number }[];
  const row = phones.find((p) => p.phoneJid === jid);
  assert.deepEqual(row && { connections: row.connections, overlaps: row.overlaps }, { connections: 1, overlaps: 1 });
  // GET /connections: the live socket with the peer it came from.
  const conns = (await (await fetch(`${sim.controlUrl}/connections`)).json()) as { conn: number; phoneJid: string; loggedIn: boolean; remoteAddress: string; remotePort: number }[];
  const mine = conns.filter((c) => c.phoneJid === jid);
  assert.equal(mine.length, 1);
  assert.equal(mine[0].conn, replaced!.detail.by, 'the newer connection is the live one');
  assert.equal(mine[0].loggedIn, true);
  assert.equal(mine[0].remoteAddress, '127.0.0.1');
  assert.ok(Number.isInteger(mine[0].remotePort) && mine[0].remotePort > 0);

  second.sock.end(undefined);
  await second.closed;
});

test('closing before reconnecting (and the 515 restart) is no overlap', async () => {
  const jid = '77051110002@s.whatsapp.net';
  const client = await pairPhone(sim, jid);
  // Reconnect after an orderly close, three times.
  let auth = client.auth;
  client.sock.end(undefined);
  await client.closed;
  for (let i = 0; i < 3; i++) {
    const c = connect(sim.url, auth);
    await c.next((u) => u.connection === 'open');
    c.sock.end(undefined);
    await c.closed;
    auth = c.auth;
  }
  // The server asks for a restart: the client reconnects at once.
  const c = connect(sim.url, auth);
  await c.next((u) => u.connection === 'open');
  await sim.inject(jid, { type: 'restart-required' });
  assert.equal((await c.closed).statusCode, 515);
  const again = connect(sim.url, auth);
  await again.next((u) => u.connection === 'open');
  assert.equal(info(jid)?.overlaps, 0);
  assert.equal(sim.events().filter((e) => e.phoneJid === jid && (e.type === 'overlap' || e.type === 'replaced')).length, 0);
  // Other devices of other phones never count against this one: a replacement elsewhere.
  const other = await pairPhone(sim, '77051110003@s.whatsapp.net');
  const otherTwin = connect(sim.url, other.auth);
  await otherTwin.next((u) => u.connection === 'open');
  assert.equal((await other.closed).statusCode, 440);
  assert.equal(info('77051110003@s.whatsapp.net')?.overlaps, 1);
  assert.equal(info(jid)?.overlaps, 0);
  for (const x of [again, otherTwin]) {
    x.sock.end(undefined);
    await x.closed;
  }
});
