// Each fault, delivered as real protocol traffic, surfaces in the real Baileys client exactly as
// it does in the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../index';
import { connect, pairPhone, trackUnhandled, type Client } from './helpers';
import { eventually, within } from '../../test/support/eventually';

let sim: Simulator;
let n = 0;
const nextJid = () => `7705000${String(++n).padStart(4, '0')}@s.whatsapp.net`;

test.before(async () => {
  sim = await startSimulator({ port: 0 });
});
test.after(() => sim.close());

async function openPhone(opts: { keepAliveIntervalMs?: number } = {}): Promise<{ jid: string; client: Client }> {
  const jid = nextJid();
  return { jid, client: await pairPhone(sim, jid, opts) };
}

/** Every close is awaited with the suite's deadline: a close that never comes fails, it does not hang. */
const closedOf = (client: Client) => within('the connection to close', client.closed);

function stop(client: Client) {
  client.sock.end(undefined);
  return closedOf(client);
}

test('a message arrives decrypted with its text', async () => {
  const { jid, client } = await openPhone();
  await sim.inject(jid, { type: 'message', text: 'Привет, console' });
  const m = await client.nextMessage();
  assert.equal(m.text, 'Привет, console');
  assert.equal(m.from, '15550001111@s.whatsapp.net');
  await sim.inject(jid, { type: 'message', text: 'second', count: 2 });
  assert.equal((await client.nextMessage()).text, 'second');
  assert.equal((await client.nextMessage()).text, 'second');
  await stop(client);
});

test('bad-mac via pkmsg surfaces as "Bad MAC"; bad-decrypt as "bad decrypt"; no-session; version; message-absent', async () => {
  const unhandled = trackUnhandled();
  const { jid, client } = await openPhone();
  await sim.inject(jid, { type: 'bad-mac' });
  assert.match((await client.nextMessage()).stub?.[0] ?? '', /bad mac/i);
  await sim.inject(jid, { type: 'bad-decrypt' });
  assert.match((await client.nextMessage()).stub?.[0] ?? '', /bad decrypt/i);
  await sim.inject(jid, { type: 'no-session' });
  assert.equal((await client.nextMessage()).stub?.[0], 'No session record');
  await sim.inject(jid, { type: 'version' });
  assert.equal((await client.nextMessage()).stub?.[0], 'Incompatible version number on PreKeyWhisperMessage');
  await sim.inject(jid, { type: 'message-absent' });
  assert.equal((await client.nextMessage()).stub?.[0], 'Message absent from node');
  // The client recovers: a good message still decrypts after the failures.
  await sim.inject(jid, { type: 'message', text: 'still fine' });
  assert.equal((await client.nextMessage()).text, 'still fine');
  await stop(client);
  unhandled.stop();
  assert.deepEqual(unhandled.seen, []);
});

test('bad-mac via msg on an established session: "No matching sessions", libsignal logs Bad MAC', async () => {
  const { jid, client } = await openPhone();
  const lines: string[] = [];
  const orig = console.error;
  console.error = (...args: unknown[]) => lines.push(args.map(String).join(' '));
  try {
    await sim.inject(jid, { type: 'bad-mac', via: 'msg', count: 2 });
    const first = await client.nextMessage();
    assert.equal(first.text, '(session setup)');
    assert.equal((await client.nextMessage()).stub?.[0], 'No matching sessions found for message');
    assert.equal((await client.nextMessage()).text, '(session setup)');
    assert.equal((await client.nextMessage()).stub?.[0], 'No matching sessions found for message');
  } finally {
    console.error = orig;
  }
  assert.ok(lines.some((l) => /Bad MAC/.test(l)), 'libsignal printed the real cause');
  await stop(client);
});

/**
 * Baileys 6.7 answers a failed message with a retry receipt only after a 5 s wait and a query of
 * its own that it does not await; stopping the client before the receipt is in cuts that query off.
 */
const retryReceiptSent = (jid: string, since: number) =>
  eventually('the retry receipt for the failed message', () => sim.events(since).some((e) => e.phoneJid === jid && e.type === 'retry-receipt'));

test('invalid-prekey: a pkmsg naming a pre-key the device never published surfaces as "Invalid PreKey ID"', async () => {
  const { jid, client } = await openPhone();
  const since = sim.events().at(-1)?.seq ?? 0;
  await sim.inject(jid, { type: 'invalid-prekey' });
  assert.equal((await client.nextMessage()).stub?.[0], 'Invalid PreKey ID');
  // Nothing was stored for the contact: its next message starts a session and decrypts.
  await sim.inject(jid, { type: 'message', text: 'after the bad pre-key' });
  assert.equal((await client.nextMessage()).text, 'after the bad pre-key');
  await retryReceiptSent(jid, since);
  await stop(client);
});

test('duplicate: the same WhisperMessage twice, the second is "No matching sessions", libsignal logs "Key used already"', async () => {
  const { jid, client } = await openPhone();
  const since = sim.events().at(-1)?.seq ?? 0;
  const lines: string[] = [];
  const orig = console.error;
  console.error = (...args: unknown[]) => lines.push(args.map(String).join(' '));
  try {
    await sim.inject(jid, { type: 'duplicate' });
    assert.equal((await client.nextMessage()).text, '(session setup)');
    assert.equal((await client.nextMessage()).stub?.[0], 'No matching sessions found for message');
  } finally {
    console.error = orig;
  }
  assert.ok(lines.some((l) => /Key used already or never filled/.test(l)), 'libsignal printed the real cause');
  assert.ok(!lines.some((l) => /Bad MAC/.test(l)), 'the session itself is sound');
  await retryReceiptSent(jid, since);
  await stop(client);
});

test('drop → 428, restart-required → 515, conflict → 440, logged-out → 401 and refused after', async () => {
  const { jid, client } = await openPhone();
  await sim.inject(jid, { type: 'drop' });
  assert.equal((await closedOf(client)).statusCode, 428);

  const c2 = connect(sim.url, client.auth);
  await c2.next((u) => u.connection === 'open');
  await sim.inject(jid, { type: 'restart-required' });
  const closed515 = await closedOf(c2);
  assert.equal(closed515.statusCode, 515);

  const c3 = connect(sim.url, client.auth);
  await c3.next((u) => u.connection === 'open');
  await sim.inject(jid, { type: 'conflict' });
  assert.equal((await closedOf(c3)).statusCode, 440);

  const c4 = connect(sim.url, client.auth);
  await c4.next((u) => u.connection === 'open');
  await sim.inject(jid, { type: 'logged-out' });
  assert.equal((await closedOf(c4)).statusCode, 401);
  const c5 = connect(sim.url, client.auth);
  assert.equal((await closedOf(c5)).statusCode, 401, 'the removed device cannot log in again');
  assert.equal(sim.phones().find((p) => p.phoneJid === jid)?.connections, 0);
});

test('silence → the client times out with 408', async () => {
  const { jid, client } = await openPhone({ keepAliveIntervalMs: 300 });
  await sim.inject(jid, { type: 'silence' });
  const closed = await closedOf(client);
  assert.equal(closed.statusCode, 408);
  assert.match(closed.message, /Connection was lost/);
});

test('freeze → pings are still answered (the client stays open) but a query is never answered', async () => {
  const { jid, client } = await openPhone({ keepAliveIntervalMs: 100 });
  const blocklist = { tag: 'iq', attrs: { to: 's.whatsapp.net', type: 'get', xmlns: 'blocklist' } };
  // Before the fault the same query is answered: the test can fail.
  await client.sock.query(structuredClone(blocklist), 2000);
  await sim.inject(jid, { type: 'freeze' });
  const since = sim.events().at(-1)?.seq ?? 0;
  let closed = false;
  void client.closed.then(() => (closed = true));
  const query = client.sock.query(structuredClone(blocklist), 1500).then(
    () => 'answered',
    (err: Error) => err.message,
  );
  // Ten keep-alive rounds (1 s, ten times the client's 100 ms interval + 5 s grace is not reached
  // by a socket whose pings are answered): the query times out meanwhile, the socket stays open.
  assert.equal(await query, 'Timed Out');
  const pings = sim.events(since).filter((e) => e.phoneJid === jid && e.type === 'ping').length;
  assert.ok(pings >= 5, `pings answered while frozen: ${pings}`);
  assert.ok(sim.events(since).some((e) => e.phoneJid === jid && e.type === 'frozen-drop'), 'the query reached the simulator and was dropped');
  assert.equal(closed, false);
  await stop(client);
});

test('keep-alive: the session stays open through 20+ ping rounds', async () => {
  const { jid, client } = await openPhone({ keepAliveIntervalMs: 100 });
  const since = sim.events().at(-1)?.seq ?? 0;
  let closed = false;
  void client.closed.then(() => (closed = true));
  // Each ping is answered; wait until the simulator has seen 22 of them from this phone (or it closed).
  await eventually('22 answered pings', () => closed || sim.events(since).filter((e) => e.phoneJid === jid && e.type === 'ping').length >= 22, undefined, 50);
  assert.equal(closed, false);
  assert.ok(sim.events(since).filter((e) => e.phoneJid === jid && e.type === 'ping').length >= 22);
  await stop(client);
});
