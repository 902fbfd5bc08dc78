// Over HTTP against `next start`: every API route refuses anonymous callers, viewers cannot
// mutate, cookie mutations need the console's origin, bad input gets JSON 400/413, and the login
// throttle answers 429.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startConsole, signIn, type ConsoleServer } from '../../support/console-server';
import { testProviders } from '../../support/databases';
import { apiRoutes } from '../../support/api-routes';

const PUBLIC = new Set(['/api/health']);

for (const provider of testProviders()) {
  test(`${provider}: HTTP auth rules`, async (t) => {
    const server: ConsoleServer = await startConsole({ provider, env: { SESSIONS_AUTOSTART: 'false' } });
    t.after(() => server.stop());
    const { url } = server;

    await t.test('health is public', async () => {
      const res = await fetch(`${url}/api/health`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { status: 'ok', db: 'ok' });
    });

    await t.test('no API route is reachable unauthenticated', async () => {
      const routes = apiRoutes().filter((r) => !PUBLIC.has(r.path));
      assert.ok(routes.length >= 2, 'found the route files');
      for (const r of routes) {
        assert.ok(r.methods.length > 0, `${r.path} exports methods`);
        for (const method of r.methods) {
          const res = await fetch(url + r.path, { method, headers: { 'content-type': 'application/json' }, body: method === 'GET' ? undefined : '{}' });
          assert.equal(res.status, 401, `${method} ${r.path}`);
          assert.match(res.headers.get('content-type') ?? '', /application\/json/);
          const token = await fetch(url + r.path, { method, headers: { authorization: 'Bearer wac_forged' }, body: method === 'GET' ? undefined : '{}' });
          assert.equal(token.status, 401, `forged token ${method} ${r.path}`);
        }
      }
    });

    await t.test('viewers and read tokens may read but not mutate', async () => {
      const viewer = await server.createViewer();
      const cookie = await server.login(viewer.email, viewer.password);
      const read = await server.createToken('read');
      // Reading: every read-level GET answers 200 JSON to a viewer's cookie and to a read token.
      const org = await server.db.organization.create({ data: { name: 'Readable' } });
      const phone = await server.db.organizationPhone.create({ data: { organizationId: org.id, phoneJid: '77051238888@s.whatsapp.net', status: 'closed' } });
      for (const p of ['/api/sessions', `/api/sessions/${phone.id}`, `/api/sessions/${phone.id}/stats`, `/api/sessions/${phone.id}/events`, '/api/audit', '/api/organizations', '/api/openapi.json']) {
        for (const [who, headers] of [['viewer', { cookie }], ['read token', { authorization: `Bearer ${read}` }]] as const) {
          const res = await fetch(url + p, { headers });
          assert.equal(res.status, 200, `${who} reads ${p}`);
          assert.match(res.headers.get('content-type') ?? '', /application\/json/, `${who} reads ${p}`);
          await res.json();
        }
      }
      const listed = (await (await fetch(`${url}/api/sessions`, { headers: { cookie } })).json()) as { id: number }[];
      assert.deepEqual(listed.map((s) => s.id), [phone.id], 'the viewer sees the phone');
      // Mutating: refused, and nothing changed.
      const post = await fetch(`${url}/api/tokens`, { method: 'POST', headers: { cookie, origin: url, 'content-type': 'application/json' }, body: '{"name":"v"}' });
      assert.equal(post.status, 403);
      const close = await fetch(`${url}/api/sessions/${phone.id}/close`, { method: 'POST', headers: { authorization: `Bearer ${read}`, 'content-type': 'application/json' }, body: '{}' });
      assert.equal(close.status, 403);
      await server.db.organization.delete({ where: { id: org.id } });
      const del = await fetch(`${url}/api/tokens/1`, { method: 'DELETE', headers: { authorization: `Bearer ${read}` } });
      assert.equal(del.status, 403);
      assert.equal((await del.json()).error, 'Admin role required');
    });

    await t.test('cookie mutations need the console origin (CSRF)', async () => {
      const cookie = await server.login();
      const body = '{"name":"csrf"}';
      const foreign = await fetch(`${url}/api/tokens`, { method: 'POST', headers: { cookie, origin: 'https://evil.example', 'content-type': 'application/json' }, body });
      assert.equal(foreign.status, 403);
      const none = await fetch(`${url}/api/tokens`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body });
      assert.equal(none.status, 403);
      const own = await fetch(`${url}/api/tokens`, { method: 'POST', headers: { cookie, origin: url, 'content-type': 'application/json' }, body });
      assert.equal(own.status, 201);
      const created = await own.json();
      assert.match(created.token, /^wac_/);
      // The new token works; after revocation it does not.
      assert.equal((await fetch(`${url}/api/tokens`, { headers: { authorization: `Bearer ${created.token}` } })).status, 200);
      const revoke = await fetch(`${url}/api/tokens/${created.id}`, { method: 'DELETE', headers: { cookie, origin: url } });
      assert.equal(revoke.status, 200);
      assert.equal((await fetch(`${url}/api/tokens`, { headers: { authorization: `Bearer ${created.token}` } })).status, 401);
      const audit = await server.db.auditLog.findMany({ where: { targetType: 'token' } });
      assert.deepEqual(audit.map((a) => a.action).sort(), ['token.create', 'token.revoke']);
    });

    await t.test('bad input gets JSON 400/404/413, never 500 or HTML', async () => {
      const token = await server.createToken('admin');
      const h = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const cases: [string, string, string | undefined, number][] = [
        ['POST', '/api/tokens', '{"name":', 400],
        ['POST', '/api/tokens', '{"name":5}', 400],
        ['POST', '/api/tokens', '[]', 400],
        ['POST', '/api/tokens', JSON.stringify({ name: 'x'.repeat(70 * 1024) }), 413],
        ['POST', '/api/tokens', JSON.stringify({ name: 'ünï©ødé 🚀' }), 201],
        ['DELETE', '/api/tokens/abc', undefined, 400],
        ['DELETE', '/api/tokens/99999999999', undefined, 400],
        ['DELETE', '/api/tokens/424242', undefined, 404],
        ['GET', '/api/does-not-exist', undefined, 404],
      ];
      for (const [method, p, body, status] of cases) {
        const res = await fetch(url + p, { method, headers: h, body });
        assert.equal(res.status, status, `${method} ${p} ${body?.slice(0, 20)}`);
        assert.match(res.headers.get('content-type') ?? '', /application\/json/, `${method} ${p}`);
        const parsed = await res.json();
        if (status >= 400) assert.equal(typeof parsed.error, 'string');
      }
    });

    await t.test('login throttle: the 6th attempt gets 429 with a clear message', async () => {
      for (let i = 0; i < 5; i++) {
        const res = await signIn(url, server.adminEmail, 'wrong-password');
        assert.ok(!res.cookie.includes('session-token'), 'wrong password gives no session');
      }
      const blocked = await signIn(url, server.adminEmail, server.adminPassword);
      assert.equal(blocked.status, 429);
      assert.ok(!blocked.cookie.includes('session-token'), 'even the right password is refused while throttled');
    });

    await t.test('pages redirect to login when signed out', async () => {
      const res = await fetch(`${url}/`, { redirect: 'manual' });
      assert.equal(res.status, 307);
      assert.match(res.headers.get('location') ?? '', /\/login/);
    });
  });
}
