// Only the exact role strings grant anything; token scopes without a known scope grant nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canMutate, parseRole, roleOfScopes } from '../../../lib/auth/roles';

test('parseRole accepts exactly admin and viewer', () => {
  assert.equal(parseRole('admin'), 'admin');
  assert.equal(parseRole('viewer'), 'viewer');
});

test('parseRole refuses every other value', () => {
  for (const value of ['Viewer', 'Admin', 'ADMIN', ' admin', 'admin ', 'readonly', 'disabled', '', 'root', null, undefined, 1, {}, ['admin']]) {
    assert.equal(parseRole(value), null, JSON.stringify(value));
  }
});

test('only admin may mutate; unknown roles may not', () => {
  assert.equal(canMutate('admin'), true);
  assert.equal(canMutate('viewer'), false);
  assert.equal(canMutate(parseRole('readonly')), false);
  assert.equal(canMutate(null), false);
});

test('token scopes: unknown scopes grant nothing', () => {
  assert.equal(roleOfScopes('admin'), 'admin');
  assert.equal(roleOfScopes('read'), 'viewer');
  assert.equal(roleOfScopes('read,admin'), 'admin');
  assert.equal(roleOfScopes('Admin'), null);
  assert.equal(roleOfScopes('readonly'), null);
  assert.equal(roleOfScopes(''), null);
});

test('a sign-in session whose stored role is unknown stands for nobody', async () => {
  const { sessionActor } = await import('../../../lib/auth/session');
  const dbWith = (role: string) => ({ user: { findUnique: async () => ({ email: 'u@test.local', role, sessionVersion: 3 }) } }) as never;
  const claims = { sub: '7', email: 'u@test.local', sv: 3 };
  assert.deepEqual(await sessionActor(dbWith('viewer'), claims), { type: 'user', id: 7, name: 'u@test.local', role: 'viewer' });
  for (const role of ['Viewer', 'readonly', 'disabled', '']) assert.equal(await sessionActor(dbWith(role), claims), null, role);
});
