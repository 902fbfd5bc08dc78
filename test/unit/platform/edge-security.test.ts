// Issue 11, the pure parts: client address and trusted proxies, same-origin redirects, the
// database-outage and domain-error mapping, NextAuth's answers as JSON, security headers, config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientAddress, normalizeAddress, TrustedProxies } from '../../../lib/http/client-address';
import { safeRedirectPath } from '../../../lib/auth/safe-redirect';
import { isDatabaseUnavailable } from '../../../lib/db/unavailable';
import { ConflictError, InvalidInputError, NotFoundError, UnavailableError } from '../../../lib/errors';
import { toResponse } from '../../../lib/api/errors';
import { bodyFields, mapNextAuthResponse } from '../../../lib/auth/nextauth-json';
import { API_CSP, FIXED_SECURITY_HEADERS, pageCsp } from '../../../lib/http/security-headers';
import { parseConfig } from '../../../lib/config';
import { PhoneNotFoundError } from '../../../lib/sessions/manager';

process.env.LOG_LEVEL = 'silent';

test('client address: the socket unless the peer is a listed proxy; forged headers count for nothing', () => {
  const none = new TrustedProxies('');
  assert.equal(clientAddress('127.0.0.1', '203.0.113.9', none), '127.0.0.1', 'no trusted proxies: X-Forwarded-For ignored');
  assert.equal(clientAddress('::ffff:127.0.0.1', undefined, none), '127.0.0.1', 'IPv4-mapped is the IPv4 address');
  const trusted = new TrustedProxies('10.0.0.0/8, 127.0.0.2, ::1');
  assert.equal(clientAddress('10.1.2.3', '198.51.100.7', trusted), '198.51.100.7');
  assert.equal(clientAddress('10.1.2.3', '::ffff:127.0.0.1, 203.0.113.9', trusted), '203.0.113.9', 'the rightmost untrusted hop, not a forged first one');
  assert.equal(clientAddress('10.1.2.3', '203.0.113.9, 10.9.9.9', trusted), '203.0.113.9', 'trusted hops are skipped');
  assert.equal(clientAddress('10.1.2.3', 'garbage', trusted), '10.1.2.3', 'a malformed hop stops the walk');
  assert.equal(clientAddress('192.0.2.1', '198.51.100.7', trusted), '192.0.2.1', 'an untrusted peer');
  assert.equal(clientAddress('::1', '2001:db8::5', trusted), '2001:db8::5');
  assert.equal(normalizeAddress(' ::FFFF:10.0.0.1 '), '10.0.0.1');
  assert.throws(() => new TrustedProxies('10.0.0.0/33'));
  assert.throws(() => new TrustedProxies('example.com'));
});

test('after sign-in only same-origin paths are followed', () => {
  const origin = 'http://console.test:3000';
  for (const evil of ['//other-host/phish', '/\\other-host/phish', '/\t/other-host', '\\\\other-host', 'https://other-host/x', 'http://console.test:3001/', 'javascript:alert(1)', '/\\\tother-host', ' //other-host']) {
    const got = safeRedirectPath(evil, origin);
    assert.equal(new URL(got, origin).origin, origin, `${JSON.stringify(evil)} → ${got}`);
    assert.ok(!got.startsWith('//') && !got.startsWith('/\\'), `${JSON.stringify(evil)} → ${got}`);
  }
  assert.equal(safeRedirectPath('/sessions/4?tab=audit#x', origin), '/sessions/4?tab=audit#x');
  assert.equal(safeRedirectPath(`${origin}/tokens`, origin), '/tokens');
  assert.equal(safeRedirectPath('/.//other-host/x', origin), '/other-host/x', 'a path that normalises to // is made single-slash');
  assert.equal(safeRedirectPath(null, origin), '/');
});

test('database outages are recognised across Prisma, the pg and libsql adapters and the drivers', () => {
  const yes = [
    Object.assign(new Error("Can't reach database server at 127.0.0.1:5999"), { code: 'P1001' }),
    { name: 'DriverAdapterError', message: 'terminating connection due to administrator command', cause: { kind: 'postgres', code: '57P01' } },
    { name: 'PrismaClientKnownRequestError', code: 'P2010', message: 'x', meta: { driverAdapterError: { cause: { kind: 'DatabaseNotReachable' } } } },
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    new Error('Connection terminated unexpectedly'),
    { name: 'PrismaClientInitializationError', message: 'whatever' },
    Object.assign(new Error('x'), { code: 'P1017' }),
  ];
  for (const err of yes) assert.ok(isDatabaseUnavailable(err), JSON.stringify(err));
  const no = [new Error('Unique constraint failed'), Object.assign(new Error('x'), { code: 'P2002' }), Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }), null, 'ECONNREFUSED'];
  for (const err of no) assert.ok(!isDatabaseUnavailable(err), String(err));
});

test('domain errors map to HTTP in one place; an outage is 503 database_unavailable', async () => {
  const cases: [unknown, number, string][] = [
    [new NotFoundError('Phone not found'), 404, 'not_found'],
    [new PhoneNotFoundError(3), 404, 'not_found'],
    [new ConflictError('busy', { status: 'open' }), 409, 'conflict'],
    [new InvalidInputError('bad'), 400, 'bad_request'],
    [new UnavailableError('down'), 503, 'unavailable'],
    [Object.assign(new Error("Can't reach database server at db:5432"), { code: 'P1001' }), 503, 'database_unavailable'],
  ];
  for (const [err, status, code] of cases) {
    const res = toResponse(err);
    assert.equal(res.status, status);
    const body = (await res.json()) as { error: string; code: string };
    assert.equal(body.code, code);
    assert.doesNotMatch(body.error, /db:5432/, 'no driver detail in the answer');
  }
});

test('NextAuth bodies: form or JSON, anything else refused as JSON', async () => {
  assert.deepEqual(bodyFields('application/json', '{"csrfToken":"t","n":1}'), { fields: { csrfToken: 't', n: '1' } });
  assert.deepEqual(bodyFields('application/x-www-form-urlencoded', 'a=1&b=2'), { fields: { a: '1', b: '2' } });
  const bad = bodyFields('application/json', '{"x":');
  assert.ok('error' in bad && bad.error.status === 400);
  const arr = bodyFields('application/json', '[1]');
  assert.ok('error' in arr && arr.error.status === 400);
  const xml = bodyFields('text/xml', '<a/>');
  assert.ok('error' in xml && xml.error.status === 415);
});

test("NextAuth's answers become JSON with the right status", async () => {
  const login = 'http://c.test/login';
  const nextAuthJson = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
  const check = async (res: Response, status: number, code?: string) => {
    assert.equal(res.status, status);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    const body = (await res.json()) as { code?: string; url?: string };
    if (code) assert.equal(body.code, code);
    return body;
  };
  await check(await mapNextAuthResponse(nextAuthJson({ url: 'http://c.test/api/auth/error?error=CredentialsSignin&provider=credentials' }, 401), {}, login), 401, 'invalid_credentials');
  await check(await mapNextAuthResponse(nextAuthJson({ url: 'http://c.test/api/auth/signin?csrf=true' }), {}, login), 403, 'csrf_failed');
  const throttled = await mapNextAuthResponse(nextAuthJson({ url: 'http://c.test/api/auth/error?error=Too%20many' }, 401), { throttledForSeconds: 600 }, login);
  assert.equal(throttled.headers.get('retry-after'), '600');
  const t = await check(throttled, 429, 'too_many_requests');
  assert.match(new URL(t.url!).searchParams.get('error')!, /Too many failed sign-in attempts/, "next-auth/react's signIn reads the message from url");
  const down = await check(await mapNextAuthResponse(nextAuthJson({ url: 'x' }), { failure: Object.assign(new Error('down'), { code: 'P1001' }) }, login), 503, 'database_unavailable');
  assert.match(new URL(down.url!).searchParams.get('error')!, /database is unavailable/, 'the login form can show it');
  const ok = await mapNextAuthResponse(nextAuthJson({ url: 'http://c.test/' }, 200, { 'set-cookie': 'next-auth.session-token=abc; Path=/; HttpOnly' }), {}, login);
  assert.equal(ok.status, 200);
  assert.match(ok.headers.getSetCookie().join(), /session-token=abc/, 'cookies are kept');
  await check(await mapNextAuthResponse(new Response('<html>', { status: 200, headers: { 'content-type': 'text/html' } }), {}, login), 404, 'not_found');
  await check(await mapNextAuthResponse(new Response('Error: boom', { status: 500, headers: { 'content-type': 'text/plain' } }), {}, login), 500, 'internal');
  await check(await mapNextAuthResponse(new Response(null, { status: 302, headers: { location: 'http://c.test/login?callbackUrl=%2F' } }), {}, login), 200);
});

test('security headers: next.config.mjs sends the fixed list; the page CSP has a nonce and no unsafe-inline script', async () => {
  const configPath = '../../../next.config.mjs';
  const config = (await import(configPath)).default as { headers: () => Promise<{ source: string; headers: { key: string; value: string }[] }[]> };
  const rules = await config.headers();
  const all = Object.fromEntries(rules.find((r) => r.source === '/:path*')!.headers.map((h) => [h.key, h.value]));
  assert.deepEqual(all, FIXED_SECURITY_HEADERS);
  assert.equal(rules.find((r) => r.source === '/api/:path*')!.headers[0].value, API_CSP);
  const csp = pageCsp('abc123', {});
  assert.match(csp, /script-src 'self' 'nonce-abc123' 'strict-dynamic'(;|$)/);
  assert.doesNotMatch(csp.split(';').find((d) => d.includes('script-src'))!, /unsafe-inline|unsafe-eval/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /upgrade-insecure-requests/);
  assert.match(pageCsp('n', { https: true }), /upgrade-insecure-requests/);
});

test('config: the console listens on 127.0.0.1 unless HOST opens it; TRUSTED_PROXIES is validated', () => {
  const c = parseConfig({});
  assert.equal(c.HOST, '127.0.0.1');
  assert.equal(c.TRUSTED_PROXIES, '');
  assert.equal(c.BODY_TIMEOUT_MS, 30_000);
  assert.equal(parseConfig({ HOST: '0.0.0.0' }).HOST, '0.0.0.0');
  assert.throws(() => parseConfig({ TRUSTED_PROXIES: '10.0.0.0/99' }), /TRUSTED_PROXIES/);
});
