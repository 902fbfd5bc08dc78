// Over HTTP against the built console: admins invite users with a one-time password, change roles,
// sign users out and delete them; the console always keeps an admin; every change is audited and
// ends the user's sign-in sessions; viewers and read tokens may do none of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startConsole } from '../../support/console-server';

test('sqlite: users are managed through /api/users', async (t) => {
  const server = await startConsole({ provider: 'sqlite', env: { SESSIONS_AUTOSTART: 'false' } });
  t.after(() => server.stop());
  const { url } = server;
  const admin = await server.createToken('admin');
  const call = async (method: string, path: string, body?: unknown, auth = `Bearer ${admin}`) => {
    const headers: Record<string, string> = auth.startsWith('Bearer ') ? { authorization: auth } : { cookie: auth, origin: url };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & { code?: string } };
  };

  // Invite a viewer: the password comes back once and signs in.
  const invited = await call('POST', '/api/users', { email: 'Viewer@Test.local', role: 'viewer', name: 'Vera' });
  assert.equal(invited.status, 201, JSON.stringify(invited.body));
  const { user, password } = invited.body as { user: { id: number; email: string; role: string }; password: string };
  assert.equal(user.email, 'viewer@test.local');
  assert.equal(user.role, 'viewer');
  assert.ok(typeof password === 'string' && password.length >= 16);
  const viewerCookie = await server.login('viewer@test.local', password);
  assert.equal((await call('GET', '/api/sessions', undefined, viewerCookie)).status, 200, 'the invited viewer reads the console');
  assert.equal((await call('GET', '/api/users', undefined, viewerCookie)).status, 403, 'viewers may not list users');
  assert.equal((await call('POST', '/api/users', { email: 'x@test.local', role: 'admin' }, viewerCookie)).status, 403);
  const read = await server.createToken('read');
  assert.equal((await call('GET', '/api/users', undefined, `Bearer ${read}`)).status, 403, 'read tokens may not list users');

  // The list never carries a password or its hash.
  const list = await call('GET', '/api/users');
  assert.equal(list.status, 200);
  const rows = list.body as unknown as Record<string, unknown>[];
  assert.deepEqual(rows.map((r) => r.email).sort(), ['admin@test.local', 'viewer@test.local']);
  assert.ok(rows.every((r) => !('passwordHash' in r) && !('password' in r)));

  // Bad input names the field; a taken email is its own conflict.
  const bad = await call('POST', '/api/users', { email: 'not-an-email', role: 'owner' });
  assert.equal(bad.status, 400);
  const fields = (bad.body.details as { path: string }[]).map((d) => d.path).sort();
  assert.deepEqual(fields, ['email', 'role']);
  const taken = await call('POST', '/api/users', { email: 'viewer@test.local', role: 'admin' });
  assert.equal(taken.status, 409);
  assert.equal(taken.body.code, 'user_exists');

  // Promotion ends the viewer's session; a new sign-in is an admin.
  const promoted = await call('PATCH', `/api/users/${user.id}`, { role: 'admin' });
  assert.equal(promoted.status, 200, JSON.stringify(promoted.body));
  assert.equal((await call('GET', '/api/sessions', undefined, viewerCookie)).status, 401, 'the old cookie is refused after a role change');
  const adminCookie = await server.login('viewer@test.local', password);
  assert.equal((await call('GET', '/api/users', undefined, adminCookie)).status, 200);

  // Sign-out everywhere.
  assert.equal((await call('POST', `/api/users/${user.id}/sign-out`)).status, 200);
  assert.equal((await call('GET', '/api/users', undefined, adminCookie)).status, 401);

  // The console keeps an admin: with two admins one may go; the last may neither be demoted nor deleted.
  const first = rows.find((r) => r.email === 'admin@test.local') as { id: number };
  assert.equal((await call('DELETE', `/api/users/${user.id}`)).status, 200);
  const demote = await call('PATCH', `/api/users/${first.id}`, { role: 'viewer' });
  assert.equal(demote.status, 409);
  assert.equal(demote.body.code, 'last_admin');
  const remove = await call('DELETE', `/api/users/${first.id}`);
  assert.equal(remove.status, 409);
  assert.equal(remove.body.code, 'last_admin');
  assert.equal((await call('DELETE', `/api/users/${user.id}`)).status, 404, 'a deleted user is gone');
  assert.equal((await call('PATCH', `/api/users/${first.id}`, {})).status, 400, 'a PATCH without a role is refused');

  // Every change is in the audit log, without the password.
  const audit = await call('GET', '/api/audit?targetType=user&limit=50');
  const actions = (audit.body.items as { action: string; targetId: string; detail: unknown }[]).filter((a) => a.targetId === String(user.id)).map((a) => a.action).sort();
  assert.deepEqual(actions, ['user.delete', 'user.invite', 'user.role', 'user.sign_out']);
  assert.ok(!JSON.stringify(audit.body).includes(password), 'the one-time password is not in the audit log');
});
