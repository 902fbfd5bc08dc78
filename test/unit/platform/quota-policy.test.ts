// Creation quotas (issue 21 item 5): the pure policy (lib/quotas/policy.ts) and the 429 it becomes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, giveBack, quotaKey, quotaMessage, quotaRules, type QuotaWindow } from '../../../lib/quotas/policy';
import { RateLimitedError } from '../../../lib/errors';
import { toResponse } from '../../../lib/api/errors';

const rule = { max: 3, windowMs: 60_000 };

test('a window allows max creations from its first, then refuses until it ends', () => {
  let counter: QuotaWindow | null = null;
  const t0 = 1_000_000;
  for (let i = 0; i < 3; i++) {
    const d = decide(counter, rule, t0 + i * 1000);
    assert.ok(d.allowed, `creation ${i + 1}`);
    counter = d.next;
  }
  assert.deepEqual(counter, { count: 3, windowStart: t0 }, 'the window starts at the first creation');
  assert.deepEqual(decide(counter, rule, t0 + 2_500), { allowed: false, retryAfterSeconds: 58 });
  assert.deepEqual(decide(counter, rule, t0 + 59_999), { allowed: false, retryAfterSeconds: 1 }, 'never less than 1 s');
  assert.deepEqual(decide(counter, rule, t0 + 60_000), { allowed: true, next: { count: 1, windowStart: t0 + 60_000 } }, 'a new window');
});

test('a clock that went back starts a new window rather than refusing for longer than the window', () => {
  assert.deepEqual(decide({ count: 3, windowStart: 5_000_000 }, rule, 4_000_000), { allowed: true, next: { count: 1, windowStart: 4_000_000 } });
});

test('giving a place back: only in the window it was taken in', () => {
  assert.deepEqual(giveBack({ count: 3, windowStart: 10 }, 10), { count: 2, windowStart: 10 });
  assert.equal(giveBack({ count: 1, windowStart: 20 }, 10), null, 'a newer window: the place lapsed with its own');
  assert.equal(giveBack(null, 10), null);
  assert.equal(giveBack({ count: 0, windowStart: 10 }, 10), null, 'never below zero');
});

test('keys per token or user, never shared; rules from the settings', () => {
  assert.equal(quotaKey('phones', { type: 'token', id: 7 }), 'phones|token:7');
  assert.equal(quotaKey('phones', { type: 'user', id: 7 }), 'phones|user:7');
  assert.notEqual(quotaKey('organizations', { type: 'token', id: 7 }), quotaKey('phones', { type: 'token', id: 7 }));
  assert.deepEqual(quotaRules({ CREATE_PHONES_PER_MINUTE: 60, CREATE_ORGANIZATIONS_PER_HOUR: 100 }), {
    phones: { max: 60, windowMs: 60_000 },
    organizations: { max: 100, windowMs: 3_600_000 },
  });
  assert.match(quotaMessage('organizations', { max: 100, windowMs: 3_600_000 }, 42), /at most 100 per hour.*42 s/);
});

test('a used-up quota answers 429 JSON with code too_many_requests and Retry-After', async () => {
  const res = toResponse(new RateLimitedError('Too many phones added', { quota: 'phones', limit: 3, windowSeconds: 60, retryAfterSeconds: 17 }));
  assert.equal(res.status, 429);
  assert.equal(res.headers.get('retry-after'), '17');
  assert.deepEqual(await res.json(), { error: 'Too many phones added', code: 'too_many_requests', details: { quota: 'phones', limit: 3, windowSeconds: 60, retryAfterSeconds: 17 } });
});
