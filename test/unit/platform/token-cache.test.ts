// The token check cache's policy (lib/auth/token-cache.ts): what is kept, for how long, what is
// dropped first, and when lastUsedAt is due. Clocks are passed in; nothing waits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lastUsedDue, TokenCheckCache } from '../../../lib/auth/token-cache';

test('an entry lives ttl from the start of the read that made it, not from when it was stored', () => {
  const cache = new TokenCheckCache<string>(2000, 10);
  cache.set('h', 'actor', 1000, 1500); // read started at 1000, answered at 1500
  assert.equal(cache.get('h', 2999), 'actor');
  assert.equal(cache.get('h', 3000), undefined, 'expired at checkedAt + ttl');
  assert.equal(cache.size, 0, 'an expired entry is dropped');
});

test('a read slower than the ttl is not kept; a disabled cache keeps nothing', () => {
  const cache = new TokenCheckCache<string>(2000, 10);
  cache.set('slow', 'actor', 0, 2000);
  assert.equal(cache.get('slow', 2000), undefined);
  const off = new TokenCheckCache<string>(0, 10);
  off.set('h', 'actor', 0, 0);
  assert.equal(off.get('h', 0), undefined);
  assert.equal(off.size, 0);
});

test('the least recently used entry is evicted past the capacity', () => {
  const cache = new TokenCheckCache<string>(10_000, 2);
  cache.set('a', 'A', 0, 0);
  cache.set('b', 'B', 0, 0);
  assert.equal(cache.get('a', 1), 'A'); // a is now the most recently used
  cache.set('c', 'C', 1, 1);
  assert.equal(cache.size, 2);
  assert.equal(cache.get('b', 2), undefined, 'b was the least recently used');
  assert.equal(cache.get('a', 2), 'A');
  assert.equal(cache.get('c', 2), 'C');
});

test('an older read never replaces a fresher entry', () => {
  const cache = new TokenCheckCache<string>(2000, 10);
  cache.set('h', 'fresh', 1500, 1600);
  cache.set('h', 'stale', 1000, 1700); // started earlier, answered later
  assert.equal(cache.get('h', 3400), 'fresh', 'kept until 1500 + 2000');
  assert.equal(cache.get('h', 3500), undefined);
});

test('delete and clear drop entries at once (revocation on this process)', () => {
  const cache = new TokenCheckCache<string>(10_000, 10);
  cache.set('a', 'A', 0, 0);
  cache.set('b', 'B', 0, 0);
  cache.delete('a');
  assert.equal(cache.get('a', 1), undefined);
  cache.clear();
  assert.equal(cache.get('b', 1), undefined);
});

test('a clock that went back expires the entry rather than extending it', () => {
  const cache = new TokenCheckCache<string>(2000, 10);
  cache.set('h', 'actor', 5000, 5000);
  assert.equal(cache.get('h', 4000), undefined);
});

test('lastUsedAt is due when never written, once per resolution, and after a clock step back', () => {
  assert.equal(lastUsedDue(null, 0, 60_000), true);
  assert.equal(lastUsedDue(1000, 60_999, 60_000), false);
  assert.equal(lastUsedDue(1000, 61_000, 60_000), true);
  assert.equal(lastUsedDue(10_000, 5000, 60_000), true);
});
