// Creation quotas and organization deletion (issue 21 item 5), over HTTP against the built console
// on both databases: phones and new organizations per API token or signed-in user, 429 JSON with
// Retry-After past them, refused and failed requests use no quota, the count kept in the database
// so every node shares it (two clients taking places at once get exactly the free ones);
// DELETE /api/organizations/:id refused while the organization has phones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startConsole, type ConsoleServer } from '../../support/console-server';
import { createTestDatabase, testProviders } from '../../support/databases';
import { createDb } from '../../../lib/db/client';
import { reserveCreation } from '../../../lib/quotas/store';
import { RateLimitedError } from '../../../lib/errors';

type Json = Record<string, unknown>;
/** A loopback port nothing listens on: no phone is started anyway. */
const CLOSED = 'ws://127.0.0.1:9';

for (const provider of testProviders()) {
  test(`${provider}: creation quotas per token and user, fleet-wide; organizations deleted only when empty`, { timeout: 120_000 }, async (t) => {
    const env: Record<string, string> = { SESSIONS_AUTOSTART: 'false', WA_WEBSOCKET_URL: CLOSED, CREATE_PHONES_PER_MINUTE: '3', CREATE_ORGANIZATIONS_PER_HOUR: '2' };
    const database = await createTestDatabase(provider);
    let server: ConsoleServer | null = null;
    t.after(async () => {
      // Nothing to close gracefully (no phone runs): SIGKILL, then the test's own database goes.
      await server?.kill();
      await database.drop();
    });
    server = await startConsole({ database, env });
    const { url } = server;
    const call = async (method: string, path: string, auth: string, body?: unknown, at = url) => {
      const headers: Record<string, string> = auth.startsWith('Bearer ') ? { authorization: auth } : { cookie: auth, origin: at };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${at}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Json };
    };
    const a = `Bearer ${await server.createToken('admin')}`;
    const b = `Bearer ${await server.createToken('admin')}`;
    const add = (auth: string, organizationName: string, phone: string, at?: string) => call('POST', '/api/sessions', auth, { organizationName, phone, start: false }, at);

    // Token a: 3 phones a minute (two new organizations among them), then 429.
    const first = await add(a, 'Quota One', '77052000001');
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.equal((await add(a, 'Quota One', '77052000002')).status, 201);
    assert.equal((await add(a, 'Quota One', '77052000001')).status, 409, 'a duplicate is refused before any quota');
    const two = await add(a, 'Quota Two', '77052000003');
    assert.equal(two.status, 201, 'the 409 took no place');
    const over = await add(a, 'Quota One', '77052000004');
    assert.equal(over.status, 429, JSON.stringify(over.body));
    assert.equal(over.body.code, 'too_many_requests');
    assert.equal(typeof over.body.error, 'string');
    assert.equal((over.body.details as Json).quota, 'phones');
    assert.equal((over.body.details as Json).limit, 3);
    const wait = Number(over.retryAfter);
    assert.ok(Number.isInteger(wait) && wait >= 1 && wait <= 60, `Retry-After ${over.retryAfter}`);
    assert.equal((over.body.details as Json).retryAfterSeconds, wait);

    // Token b has its own quota: 2 new organizations an hour; the refused third takes no phone place either.
    assert.equal((await add(b, 'Quota Three', '77052000005')).status, 201);
    assert.equal((await add(b, 'Quota Four', '77052000006')).status, 201);
    const orgOver = await add(b, 'Quota Five', '77052000007');
    assert.equal(orgOver.status, 429, JSON.stringify(orgOver.body));
    assert.equal((orgOver.body.details as Json).quota, 'organizations');
    assert.ok(Number(orgOver.retryAfter) > 60 && Number(orgOver.retryAfter) <= 3600, `Retry-After ${orgOver.retryAfter}`);
    assert.equal((await add(b, 'Quota Three', '77052000007')).status, 201, 'the refused request gave its phone place back');
    assert.equal((await add(b, 'Quota Three', '77052000008')).status, 429, "b's 3 phones are used now");

    // A signed-in user is counted apart from the tokens.
    const cookie = await server.login();
    assert.equal((await add(cookie, 'Quota One', '77052000009')).status, 201, 'the user has a quota of its own');

    // Every node on the database counts against the same limit: another client of the database
    // (as another node is) takes places at the same moment as this console, from the same counter.
    // With compare-and-set, exactly the free places are taken, whoever asks.
    const other = createDb(database.url);
    try {
      const cRule = { max: 5, windowMs: 60_000 };
      const actorC = { type: 'token' as const, id: 999_001 };
      const outcomes = await Promise.allSettled([...Array.from({ length: 6 }, () => reserveCreation(other, 'phones', actorC, cRule)), ...Array.from({ length: 6 }, () => reserveCreation(database.db, 'phones', actorC, cRule))]);
      assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 5, 'exactly the 5 places, across two clients');
      assert.ok(outcomes.every((o) => o.status === 'fulfilled' || o.reason instanceof RateLimitedError));
      // And the console's own count is the database's: what another node took, it refuses.
      const aId = ((await call('GET', '/api/tokens', a)).body as unknown as { id: number; prefix: string }[]).find((x) => a.slice(7).startsWith(x.prefix))!.id;
      const before = await database.db.creationQuota.findUnique({ where: { key: `phones|token:${aId}` } });
      assert.equal(before?.count, 3, "the console counted token a's 3 phones in the database");
    } finally {
      await other.$disconnect();
    }
    const names = ((await call('GET', '/api/organizations', a)).body as unknown as { name: string }[]).map((o) => o.name).sort();
    assert.deepEqual(names, ['Quota Four', 'Quota One', 'Quota Three', 'Quota Two'], 'the refused organization was never created');

    // DELETE /api/organizations/:id: not while it has phones; admins only; 404 once gone.
    const orgs = (await call('GET', '/api/organizations', a)).body as unknown as { id: number; name: string }[];
    const idOf = (name: string) => orgs.find((o) => o.name === name)!.id;
    const full = await call('DELETE', `/api/organizations/${idOf('Quota Two')}`, a);
    assert.equal(full.status, 409, JSON.stringify(full.body));
    assert.equal(full.body.code, 'organization_not_empty');
    assert.deepEqual(full.body.details, { phones: 1 });
    const read = `Bearer ${await server.createToken('read')}`;
    assert.equal((await call('DELETE', `/api/organizations/${idOf('Quota Two')}`, read)).status, 403);
    assert.equal((await call('DELETE', `/api/sessions/${two.body.id}`, a)).status, 200);
    const deleted = await call('DELETE', `/api/organizations/${idOf('Quota Two')}`, a);
    assert.deepEqual([deleted.status, deleted.body.success], [200, true]);
    assert.equal((await call('DELETE', `/api/organizations/${idOf('Quota Two')}`, a)).status, 404);
    assert.ok(!((await call('GET', '/api/organizations', a)).body as unknown as { name: string }[]).some((o) => o.name === 'Quota Two'));
    const audit = (await call('GET', `/api/audit?targetType=organization&targetId=${idOf('Quota Two')}`, a)).body.items as Json[];
    assert.deepEqual(audit.map((e) => `${e.action} ${e.result}`), ['organization.delete ok', 'organization.delete error', 'organization.create ok']);
    assert.equal((await database.db.organizationPhone.count({ where: { organizationId: idOf('Quota One') } })) > 0, true, "the refusal left the other organizations' phones alone");
  });
}
