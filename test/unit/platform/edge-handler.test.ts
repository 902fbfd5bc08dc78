// The HTTP edge in-process (lib/http/edge.ts) around a stand-in for Next's handler: the handler
// never sees a forged client address, an oversized body or a half-sent one; small bodies arrive
// intact; HSTS only when asked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { edgeHandler } from '../../../lib/http/edge';
import { TrustedProxies } from '../../../lib/http/client-address';

async function withEdge(opts: { hsts?: boolean; trusted?: string }, fn: (url: string, seen: { ip: string; body: string }[]) => Promise<void>) {
  const seen: { ip: string; body: string }[] = [];
  const server = http.createServer(
    edgeHandler(
      (req, res) => {
        let body = '';
        req.on('data', (d) => (body += d));
        req.on('end', () => {
          seen.push({ ip: String(req.headers['x-console-client-ip']), body });
          res.end(JSON.stringify({ ok: true }));
        });
      },
      { bodyLimit: 1024, bodyTimeoutMs: 500, trustedProxies: new TrustedProxies(opts.trusted ?? ''), hsts: opts.hsts },
    ),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

function send(url: string, opts: { headers?: Record<string, string>; chunks?: string[]; end?: boolean }): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: opts.headers });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
    });
    req.on('error', reject);
    for (const c of opts.chunks ?? []) req.write(c);
    if (opts.end !== false) req.end();
    else req.flushHeaders();
  });
}

test('client address from the socket; a forged x-console-client-ip is replaced', async () => {
  await withEdge({}, async (url, seen) => {
    const res = await send(url, { headers: { 'x-console-client-ip': '6.6.6.6', 'x-forwarded-for': '7.7.7.7' } });
    assert.equal(res.status, 200);
    assert.equal(seen[0].ip, '127.0.0.1');
  });
  await withEdge({ trusted: '127.0.0.1' }, async (url, seen) => {
    await send(url, { headers: { 'x-forwarded-for': '6.6.6.6, 198.51.100.4' } });
    assert.equal(seen[0].ip, '198.51.100.4', 'behind a trusted proxy: its appended hop');
  });
});

test('bodies: within the limit intact; above it 413 and the handler never runs', async () => {
  await withEdge({}, async (url, seen) => {
    const ok = await send(url, { headers: { 'content-type': 'text/plain' }, chunks: ['a'.repeat(600), 'b'.repeat(424)] });
    assert.equal(ok.status, 200);
    assert.equal(seen[0].body, 'a'.repeat(600) + 'b'.repeat(424), 'exactly the limit passes, unchanged');
    const declared = await send(url, { headers: { 'content-length': '1025' }, chunks: ['x'.repeat(1025)] });
    assert.equal(declared.status, 413);
    assert.equal(JSON.parse(declared.body).code, 'payload_too_large');
    const chunked = await send(url, { chunks: ['x'.repeat(700), 'y'.repeat(700)] });
    assert.equal(chunked.status, 413);
    assert.equal(seen.length, 1, 'the handler saw only the first request');
  });
});

test('a body that does not arrive in time: 408 JSON, the handler never runs', async () => {
  await withEdge({}, async (url, seen) => {
    const res = await send(url, { headers: { 'content-length': '100' }, chunks: ['abc'], end: false });
    assert.equal(res.status, 408);
    assert.equal(JSON.parse(res.body).code, 'request_timeout');
    assert.equal(seen.length, 0);
  });
});

test('HSTS only when the console is served over https', async () => {
  await withEdge({ hsts: true }, async (url) => {
    assert.match(String((await send(url, {})).headers['strict-transport-security']), /max-age=31536000/);
  });
  await withEdge({}, async (url) => {
    assert.equal((await send(url, {})).headers['strict-transport-security'], undefined);
  });
});

// The cause of a contract-test failure ("other side closed" after an early 413 under load): the
// 413 kept the connection alive and the edge destroyed the socket when its linger ended. A client
// whose body was all sent before the answer came (a busy server) kept that connection and sent its
// next request on it, cut by the linger's destroy. Now the 413 says Connection: close and our side
// of the connection ends right after the answer (no request can follow on it), while the rest of
// the body is still read and dropped until the linger ends (no reset under a client still sending).
test('an early 413: Connection: close, our side ends after the answer, the rest of the body is still read', { timeout: 10_000 }, async () => {
  const server = http.createServer(
    edgeHandler((_req, res) => res.end('{}'), { bodyLimit: 1024, bodyTimeoutMs: 5_000, trustedProxies: new TrustedProxies(''), lingerMs: 60_000 }),
  );
  server.keepAliveTimeout = 65_000; // as scripts/server.ts: an idle connection is not what ends it here
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const socket = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
  try {
    const total = 256 * 1024;
    socket.write(`POST /api/tokens HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${total}\r\n\r\n`);
    socket.write('x'.repeat(1024));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (d) => (text += d));
    const ended = new Promise<void>((r) => socket.once('end', () => r()));
    const failed = new Promise<never>((_, reject) => socket.once('error', reject));
    // The answer comes while most of the body is still unsent.
    await Promise.race([new Promise<void>((r) => socket.once('data', () => r())), failed]);
    assert.match(text, /^HTTP\/1\.1 413 /);
    assert.match(text, /\r\nconnection: close\r\n/i);
    // The client goes on sending the rest: read and dropped, no reset (the linger is 60 s here).
    for (let sent = 1024; sent < total; sent += 16 * 1024) {
      const chunk = 'y'.repeat(Math.min(16 * 1024, total - sent));
      await Promise.race([new Promise<void>((r) => socket.write(chunk, () => r())), failed]);
    }
    // Our side ended after the answer, long before the linger: no further request can be sent on it.
    await Promise.race([ended, failed]);
    assert.equal(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)).code, 'payload_too_large');
  } finally {
    socket.destroy();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
