// Sign-in and token primitives: token hashing, the throttle's message, bcrypt. (Roles and scopes:
// role-parsing.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { hashToken } from '../../../lib/auth/tokens';
import { throttleMessage } from '../../../lib/auth/throttle';
import { hashPassword, verifyPassword } from '../../../lib/auth/password';

test('tokens are hashed with SHA-256, never stored as given', () => {
  const token = 'wac_' + crypto.randomBytes(16).toString('base64url');
  const h = hashToken(token);
  assert.equal(h, crypto.createHash('sha256').update(token).digest('hex'));
  assert.equal(hashToken(token), h, 'the same token always finds its row');
  assert.notEqual(hashToken(token + 'x'), h);
  assert.ok(!h.includes(token.slice(4)));
});

test('throttle message names the wait', () => {
  assert.equal(throttleMessage(30), 'Too many failed sign-in attempts. Try again in 1 minute.');
  assert.equal(throttleMessage(600), 'Too many failed sign-in attempts. Try again in 10 minutes.');
});

test('bcrypt hashes verify only the right password', async () => {
  const h = await hashPassword('correct horse', 4);
  assert.ok(h.startsWith('$2'));
  assert.equal(await verifyPassword('correct horse', h), true);
  assert.equal(await verifyPassword('wrong', h), false);
});
