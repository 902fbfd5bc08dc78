// Issue 21.6: no 500 and no non-JSON answer left at the edge of the API. Each check failed on the
// code before the fix (500 text/plain, 500 without `code`, keep-alive after a refused body, a
// text/plain body accepted as JSON).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startConsole } from '../../support/console-server';
import { testProviders } from '../../support/databases';

/** A raw request (fetch refuses TRACE and hides Connection). */
function raw(url: string, method: string, path: string, headers: Record<string, string | number> = {}, body?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url + path, { method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

for (const provider of testProviders()) {
  test(`${provider}: JSON 4xx answers for bad methods, ids, NUL bytes, media types and refused bodies`, async (t) => {
    const server = await startConsole({ provider, env: { SESSIONS_AUTOSTART: 'false', API_BODY_LIMIT: '2048' } });
    t.after(() => server.stop());
    const { url } = server;
    const admin = { authorization: `Bearer ${await server.createToken('admin')}` };
    const org = await server.db.organization.create({ data: { name: 'Edge' } });
    const phone = await server.db.organizationPhone.create({ data: { organizationId: org.id, phoneJid: '77050001111@s.whatsapp.net', status: 'open' } });

    await t.test('unknown methods: JSON 405 with Allow, on API routes and pages', async () => {
      for (const [method, path] of [['TRACE', '/api/sessions'], ['TRACE', '/'], ['PROPFIND', '/api/health'], ['LOCK', '/login']]) {
        const res = await raw(url, method, path, admin);
        assert.equal(res.status, 405, `${method} ${path}: ${res.text}`);
        assert.match(String(res.headers['content-type']), /application\/json/);
        assert.equal(JSON.parse(res.text).code, 'method_not_allowed');
        assert.match(String(res.headers.allow), /GET/);
      }
    });

    await t.test('ids beyond PostgreSQL integer: 400', async () => {
      for (const path of [
        '/api/sessions?organizationId=99999999999999999999',
        '/api/sessions?organizationId=2147483648',
        '/api/webhooks/deliveries?organizationId=99999999999999999999',
        '/api/webhooks/deliveries?organizationId=2147483648',
        '/api/sessions/summary?organizationId=2147483648',
        `/api/sessions/${phone.id}/events?before=99999999999999999999`,
      ]) {
        const res = await fetch(url + path, { headers: admin });
        const text = await res.text();
        assert.equal(res.status, 400, `${path}: ${text}`);
        assert.equal(JSON.parse(text).code, 'bad_request', path);
      }
    });

    await t.test('NUL bytes in q, targetType and a close reason: 400, the phone stays, nothing audited', async () => {
      for (const path of ['/api/sessions?q=a%00b', '/api/sessions?q=a%00b&limit=5', '/api/audit?targetType=phone%00', `/api/audit?targetId=1%00`]) {
        const res = await fetch(url + path, { headers: admin });
        const text = await res.text();
        assert.equal(res.status, 400, `${path}: ${text}`);
        assert.equal(JSON.parse(text).code, 'bad_request');
      }
      const before = await server.db.auditLog.count();
      const res = await fetch(`${url}/api/sessions/${phone.id}/close`, {
        method: 'POST',
        headers: { ...admin, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'r\u0000x' }),
      });
      const text = await res.text();
      assert.equal(res.status, 400, text);
      assert.equal(JSON.parse(text).code, 'bad_request');
      assert.equal((await server.db.organizationPhone.findUniqueOrThrow({ where: { id: phone.id } })).status, 'open');
      assert.equal(await server.db.auditLog.count(), before);
    });

    await t.test('a JSON route refuses text/plain and a body without content type: 415', async () => {
      const body = JSON.stringify({ name: 'plain', scopes: ['read'] });
      const plain = await fetch(`${url}/api/tokens`, { method: 'POST', headers: { ...admin, 'content-type': 'text/plain' }, body });
      assert.equal(plain.status, 415, await plain.text());
      const none = await raw(url, 'POST', '/api/tokens', { ...admin, 'content-length': Buffer.byteLength(body) }, body);
      assert.equal(none.status, 415, none.text);
      assert.equal(JSON.parse(none.text).code, 'unsupported_media_type');
      const ok = await fetch(`${url}/api/tokens`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json; charset=utf-8' }, body });
      assert.equal(ok.status, 201, await ok.text());
    });

    await t.test('/api/auth/error?error=Configuration and /_next/image: JSON 4xx, not 500', async () => {
      const authError = await fetch(`${url}/api/auth/error?error=Configuration`);
      const text = await authError.text();
      assert.ok(authError.status >= 400 && authError.status < 500, `${authError.status} ${text}`);
      assert.equal(JSON.parse(text).code, 'sign_in_failed');
      const image = await fetch(`${url}/_next/image?url=${encodeURIComponent('/icon.svg')}&w=64&q=75`);
      const imageText = await image.text();
      assert.equal(image.status, 404, imageText);
      assert.match(image.headers.get('content-type') ?? '', /application\/json/);
      const remote = await fetch(`${url}/_next/image?url=${encodeURIComponent('http://169.254.169.254/latest')}&w=64&q=75`);
      assert.equal(remote.status, 404, await remote.text());
    });

    await t.test('413 says Connection: close', async () => {
      const res = await raw(url, 'POST', '/api/tokens', { ...admin, 'content-type': 'application/json', 'content-length': 4096 }, 'x'.repeat(4096));
      assert.equal(res.status, 413);
      assert.equal(res.headers.connection, 'close');
      assert.equal(JSON.parse(res.text).code, 'payload_too_large');
    });
  });
}
