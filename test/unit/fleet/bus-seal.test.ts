// The fleet bus's envelope: what only a holder of the fleet key can send, once, while fresh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BusDrop, BusSeal } from '../../../lib/fleet/bus-seal';

const KEY = 'k'.repeat(40);
const OTHER = 'o'.repeat(40);

const dropReason = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof BusDrop, String(err));
    return err.reason;
  }
  assert.fail('the message was accepted');
};

test('bus seal: a sealed message opens once on its channel, with its body', () => {
  const a = new BusSeal({ current: KEY, windowMs: 30_000 });
  const b = new BusSeal({ current: KEY, windowMs: 30_000 });
  const payload = a.seal('fleet_cmd_n1', { op: 'restart', phoneId: 7 });
  assert.ok(!payload.includes('restart'), 'the body is not readable on the bus');
  assert.deepEqual(b.open('fleet_cmd_n1', payload).body, { op: 'restart', phoneId: 7 });
  assert.equal(dropReason(() => b.open('fleet_cmd_n1', payload)), 'replayed', 'the same message again is a replay');
  assert.equal(dropReason(() => new BusSeal({ current: KEY, windowMs: 30_000 }).open('fleet_cmd_n2', payload)), 'bad_mac', 'a message moved to another channel is refused');
});

test('bus seal: forged, altered, malformed and foreign-key messages are refused, never thrown as anything else', () => {
  const seal = new BusSeal({ current: KEY, windowMs: 30_000 });
  for (const forged of ['null', '', '{"id":"x","from":"a","cmd":{"op":"logout","phoneId":7}}', 'f1.a.b', 'f1.a.b.c.d', 'f1.!!.??.**']) {
    assert.ok(['malformed', 'bad_mac'].includes(dropReason(() => seal.open('ch', forged))), forged);
  }
  const good = new BusSeal({ current: KEY, windowMs: 30_000 }).seal('ch', { a: 1 });
  const parts = good.split('.');
  const flipped = Buffer.from(parts[2], 'base64url');
  flipped[0] ^= 1;
  assert.equal(dropReason(() => seal.open('ch', [parts[0], parts[1], flipped.toString('base64url'), parts[3]].join('.'))), 'bad_mac', 'one altered bit');
  assert.equal(dropReason(() => seal.open('ch', new BusSeal({ current: OTHER, windowMs: 30_000 }).seal('ch', { a: 1 }))), 'bad_mac', 'another fleet key');
});

test('bus seal: too old and too far ahead are refused; ids are forgotten only once their message is stale', () => {
  let now = 1_000_000;
  const sender = new BusSeal({ current: KEY, windowMs: 5000, now: () => now });
  const receiver = new BusSeal({ current: KEY, windowMs: 5000, now: () => now });
  const old = sender.seal('ch', 1);
  now += 5001;
  assert.equal(dropReason(() => receiver.open('ch', old)), 'stale');
  const ahead = new BusSeal({ current: KEY, windowMs: 5000, now: () => now + 6000 }).seal('ch', 2);
  assert.equal(dropReason(() => receiver.open('ch', ahead)), 'future');
  const fresh = sender.seal('ch', 3);
  assert.equal(receiver.open('ch', fresh).body, 3);
  now += 4000; // still inside the window: still a replay
  assert.equal(dropReason(() => receiver.open('ch', fresh)), 'replayed');
  now += 2000; // past the window: refused as stale, never accepted again
  assert.equal(dropReason(() => receiver.open('ch', fresh)), 'stale');
});

test('bus seal: rotation — the previous key is still accepted, the current one seals', () => {
  const oldNode = new BusSeal({ current: OTHER, windowMs: 30_000 });
  const rotated = new BusSeal({ current: KEY, previous: OTHER, windowMs: 30_000 });
  const newNode = new BusSeal({ current: KEY, windowMs: 30_000 });
  assert.equal(rotated.open('ch', oldNode.seal('ch', 'from an old node')).body, 'from an old node');
  assert.equal(newNode.open('ch', rotated.seal('ch', 'sealed with the new key')).body, 'sealed with the new key');
});
