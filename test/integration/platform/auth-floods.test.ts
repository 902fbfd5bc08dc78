// Issue 21.3 and 21.4 over HTTP against the built console: a sign-in storm (16 client addresses,
// each email new) is throttled per address and does not slow the API (p50 within 8x + 20 ms of the
// quiet p50 measured in the same run, a bound for a busy CI; the 2x target is measured by
// `npm run bench -- auth-storm`: password checks run on a worker thread, bounded); wrong bearer
// tokens are throttled per address (429 after TOKEN_MAX_FAILURES, even for a valid token then),
// counted in wa_auth_token_failures_total and logged without the token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startConsole } from '../../support/console-server';
import { apiLatencies, request, signInAs, signInStormSample, STORM_PROXY_ADDRESS as PROXY_ADDRESS } from '../../support/sign-in-storm';

test('sign-in storm: throttled per address, the API stays responsive (p50 within 8x of quiet)', async (t) => {
  const server = await startConsole({ env: { SESSIONS_AUTOSTART: 'false', TRUSTED_PROXIES: PROXY_ADDRESS, LOGIN_ADDRESS_MAX_FAILURES: '20' } });
  t.after(() => server.stop());
  const { url } = server;
  const token = await server.createToken('read');
  // Warm-up: the first unknown email computes the comparison hash; the API's first calls compile.
  assert.equal(await signInAs(url, '198.51.100.250', 'warm@storm.test', 'wrong-password'), 401);
  await apiLatencies(url, token, 10);

  const { quietMs: quiet, stormMs: stormed, statuses } = await signInStormSample(url, token, { calls: 40, sample: 0 });
  t.diagnostic(`API p50 quiet ${quiet.toFixed(1)} ms, under the storm ${stormed.toFixed(1)} ms; ${statuses.length} sign-ins: ${JSON.stringify(statuses.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {}))}`);
  // The target, 2x, is measured by `npm run bench -- auth-storm` (several samples on a
  // quiet machine; README table). Here, beside other processes on the same 2 cores, the ratio
  // reaches 4x; before the fix the p50 went from 13 ms to 678 ms (52x), so 8x + 20 ms still fails
  // on the old code while it survives a busy CI.
  assert.ok(stormed <= 8 * quiet + 20, `API p50 under the storm ${stormed.toFixed(1)} ms > 8 x quiet ${quiet.toFixed(1)} ms + 20 ms`);
  assert.ok(statuses.every((s) => s === 401 || s === 429 || s === 503), `only refusals: ${[...new Set(statuses)]}`);

  // Per address across emails: exactly LOGIN_ADDRESS_MAX_FAILURES evaluated, then 429.
  const one: number[] = [];
  for (let i = 0; i < 25; i++) one.push(await signInAs(url, '203.0.113.77', `many${i}@storm.test`, 'wrong-password'));
  assert.deepEqual(one.slice(0, 20), Array(20).fill(401));
  assert.deepEqual(one.slice(20), Array(5).fill(429));
});

test('bearer token guessing: 429 per address after TOKEN_MAX_FAILURES, counted, logged without the token', async (t) => {
  const server = await startConsole({ env: { SESSIONS_AUTOSTART: 'false', TOKEN_MAX_FAILURES: '10', TOKEN_FAILURE_WINDOW_MS: '600000', LOG_LEVEL: 'warn' } });
  t.after(() => server.stop());
  const { url } = server;
  const valid = await server.createToken('admin');
  const guesses: number[] = [];
  for (let i = 0; i < 15; i++) {
    guesses.push((await request(`${url}/api/sessions`, { headers: { authorization: `Bearer wac_guess_secret_${i}` } })).status);
  }
  assert.deepEqual(guesses, [...Array(10).fill(401), ...Array(5).fill(429)]);
  const blocked = await request(`${url}/api/sessions`, { headers: { authorization: `Bearer ${valid}` } });
  assert.equal(blocked.status, 429, 'the guessing address learns nothing, even from a valid token');
  assert.ok(Number(blocked.headers['retry-after']) > 0);
  assert.equal(JSON.parse(blocked.text).code, 'too_many_requests');

  // Another address is not affected; it reads the counters.
  const metrics = await request(`${url}/api/metrics`, { headers: { authorization: `Bearer ${valid}` }, localAddress: PROXY_ADDRESS });
  assert.equal(metrics.status, 200, metrics.text);
  assert.match(metrics.text, /wa_auth_token_failures_total\{result="invalid"\} 10\b/);
  assert.match(metrics.text, /wa_auth_token_failures_total\{result="throttled"\} 6\b/);
  const log = server.output();
  assert.match(log, /invalid or revoked API token/);
  assert.doesNotMatch(log, /wac_guess_secret/);
});
