// The fetched WhatsApp Web version (lib/sessions/wa-version.ts): parse, cache, fall back, refetch after a 405.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { afterRefusal, initialWaVersionState, parseWaVersion, RETRY_AFTER_FAILURE_MS, shouldFetch, WaVersionSource, type FetchText } from '../../../lib/sessions/wa-version';
import type { WaVersion } from '../../../lib/sessions/engines/types';

const BUNDLED: WaVersion = [2, 3000, 1];
const doc = (revision: number) => `self.__swData=JSON.parse(/*BTDS*/${JSON.stringify(JSON.stringify({ dynamic_data: { SiteData: { client_revision: revision } } }))});`;

test('parse: client_revision plain or escaped → 2.3000.<revision>; nothing else', () => {
  assert.deepEqual(parseWaVersion(doc(1031234567)), [2, 3000, 1031234567]);
  assert.deepEqual(parseWaVersion('{"client_revision": 42}'), [2, 3000, 42]);
  assert.equal(parseWaVersion('<html>captcha</html>'), null);
  assert.equal(parseWaVersion('"client_revision":0'), null);
});

test('policy: fetch when nothing is known, when the TTL passed or the version was refused; not again right after a failure', () => {
  const ttl = 3_600_000;
  const s0 = initialWaVersionState();
  assert.equal(shouldFetch(s0, 0, ttl), true);
  const known = { ...s0, known: { version: [2, 3000, 5] as WaVersion, at: 1000 } };
  assert.equal(shouldFetch(known, 1000 + ttl - 1, ttl), false);
  assert.equal(shouldFetch(known, 1000 + ttl, ttl), true);
  assert.equal(shouldFetch(afterRefusal(known, [2, 3000, 5]), 1001, ttl), true, 'the known version refused: fetch at once');
  assert.equal(shouldFetch(afterRefusal(known, [2, 3000, 4]), 1001, ttl), false, 'an older version refused: the known one stands');
  const failed = { ...s0, failedAt: 5000 };
  assert.equal(shouldFetch(failed, 5000 + RETRY_AFTER_FAILURE_MS - 1, ttl), false);
  assert.equal(shouldFetch(failed, 5000 + RETRY_AFTER_FAILURE_MS, ttl), true);
});

test('source: one shared fetch, cached for the TTL, the last known version on failure, refetch after a refusal', async () => {
  let now = 0;
  let calls = 0;
  let answer: () => Promise<string> = async () => doc(100);
  const fetchText: FetchText = () => {
    calls++;
    return answer();
  };
  const errors: unknown[] = [];
  const source = new WaVersionSource({ url: 'http://127.0.0.1:1/sw.js', ttlMs: 60_000, timeoutMs: 1000, fetchText, now: () => now, onError: (e) => errors.push(e) });

  const many = await Promise.all(Array.from({ length: 20 }, () => source.current(BUNDLED)));
  assert.equal(calls, 1, 'twenty sockets opening at once share one fetch');
  assert.ok(many.every((r) => r.version[2] === 100 && r.source === 'fetched'));

  now = 59_999;
  await source.current(BUNDLED);
  assert.equal(calls, 1, 'cached within the TTL');

  now = 60_000;
  answer = async () => {
    throw new Error('ECONNREFUSED');
  };
  assert.deepEqual((await source.current(BUNDLED)).version, [2, 3000, 100], 'the fetch failed: the last known version');
  assert.equal(calls, 2);
  assert.equal(errors.length, 1);

  answer = async () => doc(200);
  source.refused([2, 3000, 100]);
  assert.deepEqual((await source.current(BUNDLED)).version, [2, 3000, 200], 'refused: fetched again at once, despite the recent failure');
  assert.equal(calls, 3);
});

test('source: a fetch that never answers falls back to the bundled version after the timeout', async () => {
  const fetchText: FetchText = (_url, signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
  const source = new WaVersionSource({ url: 'http://127.0.0.1:1/sw.js', ttlMs: 60_000, timeoutMs: 150, fetchText });
  const started = performance.now();
  const r = await source.current(BUNDLED);
  assert.deepEqual(r, { version: BUNDLED, source: 'fallback' });
  assert.ok(performance.now() - started < 10_000, 'bounded by the timeout, not hanging');
  assert.equal(source.known, null);
});
