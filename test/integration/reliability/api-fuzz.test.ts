// A fuzz pass over every API route: wrong types, huge numbers, unicode, empty and 1 MB bodies,
// broken JSON, odd ids and wrong methods. Never a 500, never an HTML error page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startConsole } from '../../support/console-server';
import { apiRoutes } from '../../support/api-routes';

const BODIES: (string | undefined)[] = [
  undefined,
  '',
  '{',
  'null',
  '[]',
  '"text"',
  '12345678901234567890',
  JSON.stringify({ reason: 42, name: ['x'], phone: { a: 1 }, organizationId: -1, scopes: 'admin', type: 'x', count: 1e308 }),
  JSON.stringify({ reason: 'ünï©ødé 🚀 — причина', name: '名前', phone: '٧٧٠٥١٢٣٤٥٦٧', organizationName: '\u0000\u202e' }),
  JSON.stringify({ organizationId: 99999999999999, phone: '9'.repeat(400), limit: 1e9 }),
  JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }),
];
const IDS = ['1', '0', '-1', 'abc', '1e3', '99999999999', '%E2%82%AC', '1.5'];

test('fuzz: every API route, odd input, never a 500 or an HTML error', async (t) => {
  const server = await startConsole({ provider: 'sqlite', env: { SESSIONS_AUTOSTART: 'false' } });
  t.after(() => server.stop());
  await server.createToken('read'); // token #1 is what DELETE /api/tokens/1 revokes; not ours
  const token = await server.createToken('admin');
  let requests = 0;
  const seen = new Map<number, number>();
  for (const route of apiRoutes()) {
    const templates = route.path.includes('/1') ? IDS.map((id) => route.path.replace('/1', `/${id}`)) : [route.path];
    const paths = [...templates, `${route.path}?limit=-5&before=x&status=%00&organizationId=1e99&health=`];
    for (const [i, path] of paths.entries()) {
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
        // Every body shape on the first path of each route; one broken body elsewhere.
        const bodies = method === 'GET' ? [undefined] : i === 0 ? BODIES : ['{'];
        for (const body of bodies) {
          if (path.split('?')[0].endsWith('/stream') && method === 'GET') continue; // an endless stream; covered elsewhere
          const res = await fetch(server.url + path, {
            method,
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body,
          });
          const text = await res.text();
          requests++;
          seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
          const where = `${method} ${path} ${body?.slice(0, 40) ?? ''}`;
          assert.ok(res.status < 500, `${where} → ${res.status} ${text.slice(0, 200)}`);
          assert.doesNotMatch(res.headers.get('content-type') ?? '', /text\/html/, where);
          if (text && /json/.test(res.headers.get('content-type') ?? '')) assert.doesNotThrow(() => JSON.parse(text), where);
          if (res.status >= 400) {
            assert.match(res.headers.get('content-type') ?? '', /json/, `${where}: errors are JSON`);
            assert.equal(typeof JSON.parse(text).error, 'string', `${where}: the error says what is wrong`);
          }
          if (body && Buffer.byteLength(body) > 64 * 1024) {
            // The HTTP edge refuses a body above API_BODY_LIMIT before any route sees it.
            assert.equal(res.status, 413, `${where}: body above the limit`);
          } else if (!route.methods.includes(method)) {
            assert.equal(res.status, 405, `${where}: not a method of this route`);
            assert.equal(res.headers.get('allow'), route.methods.join(', '), `${where}: Allow names the route's methods`);
          }
        }
      }
    }
  }
  t.diagnostic(`${requests} requests; statuses ${JSON.stringify(Object.fromEntries(seen))}`);
  assert.ok(requests > 300);
  assert.equal(seen.get(401), undefined, 'the fuzzing token stayed valid throughout');
});
