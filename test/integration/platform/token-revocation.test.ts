// API token checks are cached per node (TOKEN_CACHE_TTL_MS, lib/auth/token-cache.ts), yet a
// revocation holds on every node from the next request on: two console processes on one
// PostgreSQL database (nodes of one fleet), the token revoked through node A and refused by node B
// as soon as the revocation answered. The cache is shown to be real first: a revocation written
// to the database behind the nodes' backs is not seen by a node that holds the token's check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startConsole, type ConsoleServer } from '../../support/console-server';
import { createTestDatabase } from '../../support/databases';
import { TEST_FLEET_BUS_KEY } from '../../support/fleet-nodes';
import { ensureFirstAdmin } from '../../../lib/auth/users';

const TTL_MS = 3000;

test('postgresql, two nodes: a revoked token is refused by every node on the next request', { timeout: 240_000 }, async (t) => {
  const database = await createTestDatabase('postgresql');
  const env = (node: string) => ({ NODE_ID: node, FLEET_BUS_KEY: TEST_FLEET_BUS_KEY, SESSIONS_AUTOSTART: 'false', TOKEN_CACHE_TTL_MS: String(TTL_MS) });
  // The first admin exists before both start, so the two consoles (started side by side) find it.
  await ensureFirstAdmin(database.db, { email: 'admin@test.local', password: crypto.randomBytes(9).toString('base64url'), cost: 4 });
  const started = await Promise.allSettled([startConsole({ database, env: env('tok_a') }), startConsole({ database, env: env('tok_b') })]);
  t.after(async () => {
    await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
    await database.drop();
  });
  const [a, b]: ConsoleServer[] = started.map((s) => {
    if (s.status === 'rejected') throw s.reason;
    return s.value;
  });

  const status = async (url: string, token: string) => {
    const res = await fetch(`${url}/api/sessions?limit=1`, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    return res.status;
  };
  const admin = await a.createToken('admin');

  await t.test('the check is cached: a revocation written behind the nodes\' backs is not seen at once', async () => {
    const token = await a.createToken('read');
    assert.equal(await status(b.url, token), 200, 'B checks the token (and keeps the check)');
    const written = performance.now();
    await b.db.apiToken.updateMany({ where: { revokedAt: null, name: { startsWith: 'test-read' } }, data: { revokedAt: new Date() } });
    const cached = await status(b.url, token);
    // Only meaningful while the check B made is younger than the TTL (a very slow machine could pass it).
    if (performance.now() - written < TTL_MS - 500) assert.equal(cached, 200, 'B answers from its cached check');
    const refused = performance.now();
    await new Promise((r) => setTimeout(r, Math.max(0, TTL_MS - (refused - written)) + 100)); // the TTL is the subject here
    assert.equal(await status(b.url, token), 401, 'after the TTL B reads the row again and refuses');
  });

  await t.test('DELETE /api/tokens/:id on A: refused by A and B on the very next request', async () => {
    const token = await a.createToken('read');
    const id = (await a.db.apiToken.findFirstOrThrow({ where: { revokedAt: null, name: { startsWith: 'test-read' } }, orderBy: { id: 'desc' } })).id;
    // Both nodes hold a fresh check of the token.
    assert.equal(await status(a.url, token), 200);
    assert.equal(await status(b.url, token), 200);
    const started = performance.now();
    const res = await fetch(`${a.url}/api/tokens/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${admin}` } });
    assert.equal(res.status, 200, await res.text());
    assert.ok(performance.now() - started >= TTL_MS - 50, 'the revocation answers once no node can still hold the check');
    assert.equal(await status(b.url, token), 401, 'B refuses the revoked token at once');
    assert.equal(await status(a.url, token), 401, 'A refuses the revoked token at once');
    // Another token is not affected.
    const other = await a.createToken('read');
    assert.equal(await status(b.url, other), 200);
  });
});
