// Issue 11, item 9: while PostgreSQL is unreachable every route answers 503 JSON
// { error, code: 'database_unavailable' } (not 500 "Internal error"), without driver details, and
// everything works again once it is back; issue 21.6: the pages / and /audit answer a 503 page. Uses a PostgreSQL of its own (stopped and started here);
// the shared one on 5432 is never touched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startOwnPostgres } from '../../support/own-postgres';
import { startConsole } from '../../support/console-server';
import { eventually } from '../../support/eventually';
import { apiRoutes } from '../../support/api-routes';

test('PostgreSQL outage: 503 database_unavailable on every route, recovery after', async (t) => {
  const pg = await startOwnPostgres();
  const holder: { server?: Awaited<ReturnType<typeof startConsole>> } = {};
  t.after(async () => {
    await pg.start().catch(() => {}); // may be running
    await holder.server?.stop();
    await pg.destroy();
  });
  // TOKEN_CACHE_TTL_MS=0: every token check reads the database, so each call meets the outage. With
  // the default cache a token used just before the stop is still believed for 2 s, and a route that
  // validates its body before reading the database answers 400 for '{}' (right, but not this test's
  // subject; token-revocation.test.ts covers the cache).
  const server = (holder.server = await startConsole({ provider: 'postgresql', pgAdminUrl: pg.adminUrl, env: { SESSIONS_AUTOSTART: 'false', TOKEN_CACHE_TTL_MS: '0' } }));
  const { url } = server;
  const token = { authorization: `Bearer ${await server.createToken('admin')}` };
  const cookie = await server.login();
  const org = await server.db.organization.create({ data: { name: 'Outage' } });
  const phone = await server.db.organizationPhone.create({ data: { organizationId: org.id, phoneJid: '77050009999@s.whatsapp.net' } });
  const csrfRes = await fetch(`${url}/api/auth/csrf`);
  const csrfCookie = csrfRes.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const csrf = (await csrfRes.json()) as { csrfToken: string };
  assert.equal((await fetch(`${url}/api/sessions`, { headers: token })).status, 200);

  await pg.stop();

  const browser = { cookie, origin: url, 'content-type': 'application/json' };
  // Every operation of every route file (test/support/api-routes.ts finds them on disk, so a new
  // route is covered without anyone listing it), once with a token and once with the browser's
  // cookie; the ids are real rows, bodies valid where a route reads one before the database.
  const ids: Record<string, number> = { sessions: phone.id, organizations: org.id, tokens: 1, users: 1, deliveries: 1 };
  const bodies: Record<string, string> = {
    'POST /api/sessions': JSON.stringify({ organizationName: 'Outage', phone: '77050009998' }),
    'POST /api/tokens': JSON.stringify({ name: 'outage', scopes: ['read'] }),
    'POST /api/users': JSON.stringify({ email: 'outage@test.local', role: 'viewer' }),
    'PATCH /api/users/1': JSON.stringify({ role: 'viewer' }),
    'PATCH /api/sessions/1': JSON.stringify({ proxyUrl: null }),
    'PUT /api/organizations/1/webhook': JSON.stringify({ url: 'https://example.com/hook' }),
    'POST /api/demo/faults': JSON.stringify({ phoneId: phone.id, type: 'drop' }),
    'PUT /api/alerts/mutes/1': JSON.stringify({ minutes: 60 }),
  };
  const calls: [string, string, RequestInit][] = [];
  for (const r of apiRoutes()) {
    if (r.path === '/api/health') continue; // public, checked on its own below
    const path = r.path.replace(/\/([a-z-]+)\/1(?=\/|$)/g, (_, name: string) => `/${name}/${ids[name] ?? 1}`);
    for (const method of r.methods) {
      const body = method === 'GET' ? undefined : (bodies[`${method} ${r.path}`] ?? '{}');
      calls.push([`token: ${method} ${r.path}`, path, { method, headers: { ...token, 'content-type': 'application/json' }, body }]);
      calls.push([`cookie: ${method} ${r.path}`, path, { method, headers: browser, body }]);
    }
  }
  assert.ok(calls.length >= 50, `every operation found (${calls.length} calls)`);
  calls.push([
    'sign-in',
    '/api/auth/callback/credentials',
    { method: 'POST', headers: { 'content-type': 'application/json', cookie: csrfCookie }, body: JSON.stringify({ email: server.adminEmail, password: server.adminPassword, csrfToken: csrf.csrfToken, json: 'true' }) },
  ]);
  for (const [name, path, init] of calls) {
    const res = await fetch(url + path, init);
    const text = await res.text();
    assert.equal(res.status, 503, `${name}: ${res.status} ${text}`);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/, name);
    const body = JSON.parse(text) as { error: string; code: string };
    assert.equal(body.code, 'database_unavailable', name);
    assert.ok(body.error.length > 0, name);
    // (`url`, on the sign-in, is the console's own login page.)
    const { url: _loginUrl, ...rest } = body as { url?: string };
    assert.doesNotMatch(JSON.stringify(rest), new RegExp(`${pg.port}|127\\.0\\.0\\.1|ECONNREFUSED|Prisma|invocation`), `${name}: no driver details`);
  }
  const health = await fetch(`${url}/api/health`);
  assert.equal(health.status, 503);
  // Issue 21.6: the pages answer a 503 page too (they answered 500 before).
  for (const page of ['/', '/audit']) {
    const res = await fetch(url + page, { headers: { cookie } });
    await res.text();
    assert.equal(res.status, 503, `page ${page}`);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/, `page ${page}`);
  }

  await pg.start();
  await eventually('health to recover', async () => (await fetch(`${url}/api/health`)).status === 200);
  await eventually('the API to recover', async () => (await fetch(`${url}/api/sessions`, { headers: token })).status === 200);
  // Right after the outage the node is rejoining the fleet (its liveness lock was lost with the
  // server, docs/fleet.md): a command may answer 503 node_unavailable ("try again") for a moment,
  // never anything else, and succeeds once it has rejoined.
  const recoveredAt = Date.now();
  const closed = await eventually('a command to succeed again', async () => {
    const res = await fetch(`${url}/api/sessions/${phone.id}/close`, { method: 'POST', headers: browser, body: '{}' });
    const text = await res.text();
    if (res.status === 503 && JSON.parse(text).code === 'node_unavailable') return undefined;
    return { status: res.status, text };
  });
  assert.equal(closed.status, 200, closed.text);
  t.diagnostic(`a command succeeded ${Date.now() - recoveredAt} ms after the API answered again`);
});
