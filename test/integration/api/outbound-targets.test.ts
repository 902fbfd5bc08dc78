// Issue 21.2: a webhook receiver or a phone's proxy on an internal address is refused (checked on
// the address connected to, hostnames included), a receiver's redirect is never followed, and a
// proxy's refusal text never reaches a close reason. Real receivers, a real proxy, real sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestDatabase } from '../../support/databases';
import { startWebhookReceiver } from '../../support/webhook-receiver';
import { testLogger, TEST_OUTBOUND } from '../../support/engine';
import { startHttpProxy } from '../../support/proxies';
import { WebhookNotifier } from '../../../lib/webhooks/outbox';
import { OutboundPolicy } from '../../../lib/http/outbound-guard';
import { createProxyAgents, ProxyError } from '../../../lib/sessions/proxy';

/** Sends one request through the agent; resolves with the error the agent failed with. */
function failureThrough(agent: http.Agent): Promise<Error> {
  return new Promise((resolve, reject) => {
    const req = http.get('http://web.whatsapp.invalid/', { agent }, () => reject(new Error('the request got through')));
    req.on('error', resolve);
  });
}

test('webhooks: internal receivers refused in every spelling, redirects never followed', async (t) => {
  const tdb = await createTestDatabase('sqlite');
  const hook = await startWebhookReceiver();
  const inner = await startWebhookReceiver();
  // a receiver that answers 302 to an internal URL
  const redirector = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(302, { location: inner.url }).end());
  });
  await new Promise<void>((r) => redirector.listen(0, '127.0.0.1', () => r()));
  const notifiers: WebhookNotifier[] = [];
  t.after(async () => {
    for (const n of notifiers) await n.stop();
    redirector.close();
    await hook.close();
    await inner.close();
    await tdb.drop();
  });
  const port = new URL(hook.url).port;

  const strict = new OutboundPolicy('');
  for (const url of [hook.url, `http://localhost:${port}/hook`, `http://2130706433:${port}/hook`, `http://0x7f000001:${port}/hook`, `http://127.1:${port}/hook`, `http://[::ffff:127.0.0.1]:${port}/hook`]) {
    const n = new WebhookNotifier({ url, outbound: strict, attempts: 1 }, tdb.db, testLogger());
    notifiers.push(n);
    n.send('probe', { type: 'probe', url });
    await n.idle();
    const row = await tdb.db.webhookOutbox.findFirstOrThrow({ where: { url }, orderBy: { id: 'desc' } });
    assert.equal(row.status, 'failed', url);
    assert.equal(row.lastError, 'refused: internal_address', url);
  }
  assert.equal(hook.received.length, 0, 'nothing reached the internal receiver');

  // Allowed as an internal target: delivered.
  const allowed = new WebhookNotifier({ url: hook.url, outbound: TEST_OUTBOUND, attempts: 1 }, tdb.db, testLogger());
  notifiers.push(allowed);
  allowed.send('probe', { type: 'probe' });
  await allowed.idle();
  assert.equal(hook.received.length, 1);

  // A 302 is a failed delivery; its Location is never fetched.
  const redirectUrl = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/hook`;
  const redirected = new WebhookNotifier({ url: redirectUrl, outbound: TEST_OUTBOUND, attempts: 1 }, tdb.db, testLogger());
  notifiers.push(redirected);
  redirected.send('probe', { type: 'probe' });
  await redirected.idle();
  const row = await tdb.db.webhookOutbox.findFirstOrThrow({ where: { url: redirectUrl } });
  assert.equal(row.status, 'failed');
  assert.equal(row.lastStatusCode, 302);
  assert.equal(inner.received.length, 0, 'the redirect target was not called');
});

test('proxies: an internal proxy is refused by name and by literal; a refusal shows no proxy text', async (t) => {
  const proxy = await startHttpProxy();
  // a proxy that refuses every tunnel with its own (secret) text
  const refusing = http.createServer();
  refusing.on('connect', (_req, socket) => socket.end('HTTP/1.1 403 INTERNAL-SECRET token=abc\r\n\r\n'));
  await new Promise<void>((r) => refusing.listen(0, '127.0.0.1', () => r()));
  t.after(async () => {
    refusing.close();
    await proxy.stop();
  });
  const strict = new OutboundPolicy('');
  for (const url of [proxy.url, proxy.url.replace('127.0.0.1', 'localhost'), proxy.url.replace('127.0.0.1', '2130706433')]) {
    const err = await failureThrough(createProxyAgents(url, { outbound: strict, connectTimeoutMs: 5_000 }).agent);
    assert.ok(err instanceof ProxyError, `${url}: ${err}`);
    assert.equal(err.message, 'proxy address not allowed: internal_address', url);
  }
  assert.equal(proxy.tunnels + proxy.refused, 0, 'no CONNECT reached the internal proxy');

  const refusedUrl = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}`;
  const err = await failureThrough(createProxyAgents(refusedUrl, { outbound: TEST_OUTBOUND, connectTimeoutMs: 5_000 }).agent);
  assert.ok(err instanceof ProxyError);
  assert.equal(err.message, 'proxy refused the tunnel: HTTP 403');
  assert.doesNotMatch(err.message, /SECRET|token/);
});
