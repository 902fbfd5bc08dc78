// The sign-in throttle's count is atomic on both databases: 30 attempts at once for one key let
// exactly LOGIN_MAX_FAILURES through; refused attempts do not extend the lock; a success clears
// the key; the window passing frees it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, testProviders } from '../../support/databases';
import { loginBlockedFor, reserveLoginAttempt } from '../../../lib/auth/throttle';

const opts = { maxFailures: 5, windowMs: 60_000 };

for (const provider of testProviders()) {
  test(`${provider}: 30 parallel sign-in attempts, exactly 5 evaluated`, async (t) => {
    const tdb = await createTestDatabase(provider);
    t.after(() => tdb.drop());
    const { db } = tdb;
    // Every attempt carries an explicit time on one clock read here: the window's arithmetic is
    // the subject, and a wall clock stepped back mid-test (NTP on a CI machine) must not decide it.
    const t0 = Date.now();
    /** The key's row as stored, relative to t0, for the failure messages. */
    const seen = async (key: string) => {
      const row = await db.loginThrottle.findUnique({ where: { key } });
      return row ? `stored count ${row.count}, windowStart t0 ${Number(row.windowStart) - t0 >= 0 ? '+' : ''}${Number(row.windowStart) - t0} ms` : 'no row stored';
    };
    for (let round = 0; round < 3; round++) {
      const key = `parallel-${round}@test|10.0.0.${round}`;
      const results = await Promise.all(Array.from({ length: 30 }, () => reserveLoginAttempt(db, key, opts, t0)));
      assert.equal(results.filter((r) => r.allowed).length, opts.maxFailures, `round ${round}: ${await seen(key)}`);
      for (const r of results) if (!r.allowed) assert.ok(r.retryAfterSeconds > 0 && r.retryAfterSeconds <= 60);
    }

    // Refused attempts later in the window do not move it.
    const key = 'parallel-0@test|10.0.0.0';
    const before = await loginBlockedFor(db, key, opts, t0);
    assert.equal(before, 60, `blocked for the whole window: ${await seen(key)}`);
    const refused = await reserveLoginAttempt(db, key, opts, t0 + 30_000);
    assert.ok(!refused.allowed, `refused half-way through the window: ${await seen(key)}`);
    assert.equal(refused.retryAfterSeconds, 30, `still ends with the first window: ${await seen(key)}`);
    const afterWindow = await reserveLoginAttempt(db, key, opts, t0 + opts.windowMs + 1000);
    assert.ok(afterWindow.allowed, `the window passed (attempt at t0 + ${opts.windowMs + 1000} ms; ${await seen(key)})`);
    assert.equal(Number((await db.loginThrottle.findUniqueOrThrow({ where: { key } })).windowStart), t0 + opts.windowMs + 1000, 'a new window starts');

    const ok = 'success@test|10.0.1.1';
    for (let i = 0; i < 4; i++) await reserveLoginAttempt(db, ok, opts);
    const right = await reserveLoginAttempt(db, ok, opts);
    assert.ok(right.allowed);
    if (right.allowed) await right.succeeded();
    assert.equal(await db.loginThrottle.count({ where: { key: ok } }), 0, 'a success clears the key');
  });
}
