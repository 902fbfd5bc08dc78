import { test } from 'node:test';
import assert from 'node:assert/strict';
import { roleOfScopes } from '../../../lib/auth/roles';
import { hashToken } from '../../../lib/auth/tokens';
import { throttleMessage } from '../../../lib/auth/throttle';
import { hashPassword, verifyPassword } from '../../../lib/auth/password';

test('token scopes map to roles', () => {
  assert.equal(roleOfScopes('admin'), 'admin');
  assert.equal(roleOfScopes('read'), 'viewer');
  assert.equal(roleOfScopes('read,admin'), 'admin');
});

test('tokens are hashed with SHA-256, never stored as given', () => {
  const h = hashToken('wac_x');
  assert.match(h, /^[0-9a-f]{64}$/);
  assert.notEqual(h, 'wac_x');
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
