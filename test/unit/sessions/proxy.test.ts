// Proxy URLs (validation, masking, host), the pool's assignment, and failure reasons.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutboundPolicy } from '../../../lib/http/outbound-guard';
import { maskProxyUrl, parseProxyUrl, proxyHost, redactUrlPasswords } from '../../../lib/sessions/proxy-url';
import { assignMany, pickFromPool } from '../../../lib/sessions/proxy-pool';
import { createProxyAgents, ProxyError, proxyErrorOf, toProxyError } from '../../../lib/sessions/proxy';
import { parseConfig } from '../../../lib/config';
import { addPhoneBodySchema, updateSessionBodySchema } from '../../../lib/api/session-schemas';

test('proxy URLs: the four schemes, default ports, credentials kept, normalised', () => {
  assert.equal(parseProxyUrl('http://10.0.0.1').url, 'http://10.0.0.1:80');
  assert.equal(parseProxyUrl(' HTTPS://proxy.example ').url, 'https://proxy.example:443');
  assert.equal(parseProxyUrl('socks5://u:p@h').url, 'socks5://u:p@h:1080');
  assert.equal(parseProxyUrl('socks5h://h:9050/').url, 'socks5h://h:9050');
  const p = parseProxyUrl('http://us%40er:pa%3Ass@host:3128');
  assert.deepEqual([p.username, p.password, p.host, p.port], ['us@er', 'pa:ss', 'host', 3128]);
  for (const bad of ['ftp://h:21', 'socks4://h:1080', 'http://', 'not a url', 'http://h:99999', 'http://h:8080/path', 'http://h?x=1', 'socks5://:1080']) {
    assert.throws(() => parseProxyUrl(bad), /proxyUrl/, bad);
  }
});

test('the password is never shown back: masked URL, host only, redacted text', () => {
  assert.equal(maskProxyUrl('http://alice:s3cret@10.0.0.1:3128'), 'http://alice:****@10.0.0.1:3128');
  assert.equal(maskProxyUrl('socks5://alice@h:1080'), 'socks5://alice@h:1080');
  assert.equal(maskProxyUrl('socks5h://h:1080'), 'socks5h://h:1080');
  assert.equal(maskProxyUrl(null), null);
  assert.equal(proxyHost('http://alice:s3cret@10.0.0.1:3128'), '10.0.0.1:3128');
  assert.equal(proxyHost(null), null);
  assert.equal(redactUrlPasswords('failed: socks5://bob:hunter2@h:1 and http://a:b@c'), 'failed: socks5://bob:****@h:1 and http://a:****@c');
  assert.equal(redactUrlPasswords('no secrets http://h:80'), 'no secrets http://h:80');
});

test('request bodies: 400 for another scheme or no host; "" and null mean direct', () => {
  const add = (proxyUrl: unknown) => addPhoneBodySchema.safeParse({ organizationName: 'Acme', phone: '77051234567', proxyUrl });
  assert.equal(add('ftp://h').success, false);
  assert.equal(add('http://').success, false);
  assert.equal(add(42).success, false);
  assert.equal(add('socks5://u:p@h').data?.proxyUrl, 'socks5://u:p@h:1080');
  assert.equal(add('').data?.proxyUrl, null);
  assert.equal(add(null).data?.proxyUrl, null);
  assert.equal(addPhoneBodySchema.safeParse({ organizationName: 'Acme', phone: '77051234567' }).data?.proxyUrl, undefined, 'omitted: the pool decides');
  assert.equal(updateSessionBodySchema.safeParse({}).success, false, 'nothing to change');
  assert.equal(updateSessionBodySchema.safeParse({ proxy: 'http://h' }).success, false, 'unknown fields are refused');
  assert.deepEqual(updateSessionBodySchema.safeParse({ label: 'Sales', proxyUrl: null }).data, { label: 'Sales', proxyUrl: null });
});

test('pool: round-robin over the least used; 10 phones over 3 proxies → 4/3/3', () => {
  const pool = ['http://a:1', 'http://b:1', 'socks5://c:1'];
  const picks = assignMany(pool, new Map(), 10);
  assert.deepEqual(picks.slice(0, 6), [pool[0], pool[1], pool[2], pool[0], pool[1], pool[2]]);
  const counts = pool.map((p) => picks.filter((x) => x === p).length);
  assert.deepEqual(counts, [4, 3, 3]);
  // Existing usage is evened out first: b has 3 phones, a and c none.
  const evened = assignMany(pool, new Map([[pool[1], 3]]), 6);
  assert.deepEqual(pool.map((p) => evened.filter((x) => x === p).length + (p === pool[1] ? 3 : 0)), [3, 3, 3]);
  // Ties rotate after the last pick instead of always taking the first entry.
  assert.equal(pickFromPool(pool, new Map(), pool[0]), pool[1]);
  assert.equal(pickFromPool(pool, new Map(), pool[2]), pool[0]);
  assert.equal(pickFromPool([], new Map()), null);
  // Usage of URLs outside the pool is ignored.
  assert.equal(pickFromPool(pool, new Map([['http://elsewhere:1', 50]])), pool[0]);
});

test('PROXY_POOL: a comma list, validated and normalised; a bad entry fails at start', () => {
  assert.deepEqual(parseConfig({ PROXY_POOL: 'http://a:1, socks5://u:p@b ,,http://a:1' }).PROXY_POOL, ['http://a:1', 'socks5://u:p@b:1080']);
  assert.deepEqual(parseConfig({}).PROXY_POOL, []);
  assert.throws(() => parseConfig({ PROXY_POOL: 'http://a:1,ftp://b' }), /PROXY_POOL/);
});

test('failure reasons: unreachable with code and address, authentication, timeout, refused', () => {
  const proxy = { host: '127.0.0.1', port: 1080 };
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1080'), { code: 'ECONNREFUSED', address: '127.0.0.1', port: 1080 });
  assert.equal(toProxyError(refused, proxy).message, 'proxy unreachable: ECONNREFUSED 127.0.0.1:1080');
  // socks wraps the socket error in its own, keeping only the message
  assert.equal(toProxyError(new Error('connect ECONNREFUSED 127.0.0.1:1081'), proxy).message, 'proxy unreachable: ECONNREFUSED 127.0.0.1:1081');
  assert.equal(toProxyError(Object.assign(new Error('getaddrinfo ENOTFOUND proxy.invalid'), { code: 'ENOTFOUND' }), proxy).message, 'proxy unreachable: ENOTFOUND 127.0.0.1:1080');
  assert.equal(toProxyError(new Error('Socks5 Authentication failed'), proxy).message, 'proxy authentication failed');
  assert.equal(toProxyError(new Error('Received invalid Socks5 initial handshake (no accepted authentication type)'), proxy).kind, 'auth');
  assert.equal(toProxyError(new Error('Proxy connection timed out'), proxy).kind, 'timeout');
  assert.match(toProxyError(new Error('Socks5 proxy rejected connection - ConnectionRefused'), proxy).message, /^proxy refused the tunnel: /);
  // Baileys wraps the WebSocket error in a Boom whose data is the original
  const e = new ProxyError('auth', 'proxy authentication failed');
  assert.equal(proxyErrorOf({ message: 'WebSocket Error (proxy authentication failed)', data: e }), e);
  assert.equal(proxyErrorOf(new Error('Connection Closed')), null);
  assert.match(e.code, /^E/, 'Baileys maps codes starting with E to a retryable 408');
});

test('agents: HTTP(S) CONNECT for http/https, SOCKS for socks5/socks5h, one agent for socket and fetches', () => {
  const http = createProxyAgents('http://u:p@h:3128', { outbound: new OutboundPolicy() });
  assert.equal(http.agent.constructor.name, 'GuardedHttpProxyAgent');
  assert.equal(http.fetchAgent, http.agent);
  assert.equal(http.options.httpsAgent, http.agent);
  assert.equal(http.options.proxy, false);
  assert.equal(http.host, 'h:3128');
  assert.equal(createProxyAgents('socks5h://h', { outbound: new OutboundPolicy() }).agent.constructor.name, 'GuardedSocksProxyAgent');
  const socks = createProxyAgents('socks5://h', { outbound: new OutboundPolicy() }) as unknown as { agent: { shouldLookup: boolean } };
  assert.equal(socks.agent.shouldLookup, true, 'socks5 resolves names locally');
  assert.equal((createProxyAgents('socks5h://h', { outbound: new OutboundPolicy() }) as unknown as { agent: { shouldLookup: boolean } }).agent.shouldLookup, false, 'socks5h resolves them at the proxy');
});

test('logs: a proxyUrl field is redacted wherever it sits in a log object', async () => {
  const { default: pino } = await import('pino');
  const { REDACT_PATHS } = await import('../../../lib/logger');
  const lines: string[] = [];
  const log = pino({ redact: REDACT_PATHS }, { write: (s: string) => lines.push(s) });
  log.info({ proxyUrl: 'http://u:hunter2@h:1', phone: { proxyUrl: 'socks5://u:hunter2@h:2' } }, 'x');
  assert.equal(lines.length, 1);
  assert.ok(!lines[0].includes('hunter2'), lines[0]);
});
