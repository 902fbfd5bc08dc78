// Over HTTP against `next start`: sign-out, a role change, a password change and deleting the user
// end that user's existing sign-in sessions at once (API routes and console pages).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startConsole, type ConsoleServer } from '../../support/console-server';
import { testProviders } from '../../support/databases';
import { signOut } from '../../support/auth-sessions';
import { createUser, deleteUser, setUserPassword, setUserRole } from '../../../lib/auth/users';

for (const provider of testProviders()) {
  test(`${provider}: sign-in sessions are revocable`, async (t) => {
    const server: ConsoleServer = await startConsole({ provider, env: { SESSIONS_AUTOSTART: 'false' } });
    t.after(() => server.stop());
    const { url } = server;

    const getTokens = (cookie: string) => fetch(`${url}/api/tokens`, { headers: { cookie } }).then(async (r) => (await r.arrayBuffer(), r.status));
    const postToken = (cookie: string) =>
      fetch(`${url}/api/tokens`, { method: 'POST', headers: { cookie, origin: url, 'content-type': 'application/json' }, body: JSON.stringify({ name: `t-${crypto.randomBytes(3).toString('hex')}` }) }).then(async (r) => (await r.arrayBuffer(), r.status));
    const page = (cookie: string) => fetch(`${url}/`, { headers: { cookie }, redirect: 'manual' }).then(async (r) => (await r.arrayBuffer(), { status: r.status, location: r.headers.get('location') ?? '' }));
    const newAdmin = async () => {
      const email = `admin-${crypto.randomBytes(3).toString('hex')}@test.local`;
      const password = crypto.randomBytes(9).toString('base64url');
      const user = await createUser(server.db, { email, password, role: 'admin' }, 4);
      const cookie = await server.login(email, password);
      assert.equal(await getTokens(cookie), 200);
      assert.equal(await postToken(cookie), 201);
      assert.equal((await page(cookie)).status, 200, 'console page while signed in');
      return { ...user, password, cookie };
    };
    const assertEnded = async (cookie: string, what: string) => {
      assert.equal(await getTokens(cookie), 401, `GET after ${what}`);
      assert.equal(await postToken(cookie), 401, `POST after ${what}`);
      const p = await page(cookie);
      assert.ok(p.status >= 300 && p.status < 400 && p.location.includes('/login'), `console page after ${what}: ${p.status} ${p.location}`);
    };

    await t.test('sign-out ends the session: the old cookie is refused', async () => {
      const admin = await newAdmin();
      // A second sign-in of the same user (another browser) ends too: sign-out is everywhere.
      const other = await server.login(admin.email, admin.password);
      assert.ok((await signOut(url, admin.cookie)) < 400);
      await assertEnded(admin.cookie, 'sign-out');
      await assertEnded(other, 'sign-out elsewhere');
      // Signing in again works.
      assert.equal(await getTokens(await server.login(admin.email, admin.password)), 200);
    });

    await t.test('demotion to viewer ends the session; a new sign-in is a viewer', async () => {
      const admin = await newAdmin();
      await setUserRole(server.db, admin.id, 'viewer');
      await assertEnded(admin.cookie, 'demotion');
      const again = await server.login(admin.email, admin.password);
      assert.equal(await getTokens(again), 403, 'viewers may not list tokens');
      assert.equal(await postToken(again), 403, 'viewers may not mutate');
      assert.equal((await page(again)).status, 200, 'viewers see the console');
    });

    await t.test('a password change ends the session', async () => {
      const admin = await newAdmin();
      const password = crypto.randomBytes(9).toString('base64url');
      assert.equal(await setUserPassword(server.db, admin.id, password, 4), true);
      await assertEnded(admin.cookie, 'password change');
      assert.equal(await getTokens(await server.login(admin.email, password)), 200);
    });

    await t.test('deleting the user ends the session', async () => {
      const admin = await newAdmin();
      assert.equal(await deleteUser(server.db, admin.id), true);
      await assertEnded(admin.cookie, 'deletion');
    });

    await t.test('a session of another user is untouched', async () => {
      const keep = await newAdmin();
      const gone = await newAdmin();
      await signOut(url, gone.cookie);
      assert.equal(await getTokens(keep.cookie), 200);
      assert.equal(await postToken(keep.cookie), 201);
    });
  });
}
