// The HTTP edge in front of Next's request handler (used by scripts/server.ts, so by `npm start`,
// the demo and the tests): the one place that sees the socket. For every request it
//  - replaces CLIENT_IP_HEADER with the address from the socket (lib/http/client-address.ts);
//  - refuses a body whose Content-Length is above the limit with 413 before reading any of it;
//  - reads other bodies itself, at most `bodyLimit` bytes (413 and the connection closed beyond),
//    and hands the request to Next only once the whole body is in: no route, NextAuth's included,
//    ever holds more than the limit in memory;
//  - cuts a body that has not arrived completely within `bodyTimeoutMs` with 408.
// Errors are JSON like every other /api answer.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CLIENT_IP_HEADER, clientAddress, type TrustedProxies } from './client-address';
import { HSTS } from './security-headers';

export interface EdgeOptions {
  bodyLimit: number;
  bodyTimeoutMs: number;
  trustedProxies: TrustedProxies;
  /** Add Strict-Transport-Security to every answer (the console is served over https). */
  hsts?: boolean;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

/** How long a refused body is still read (and dropped) so the client sees the answer, not a reset. */
const LINGER_MS = 2_000;

function refuse(req: IncomingMessage, res: ServerResponse, status: number, error: string, code: string) {
  // From now on the parser's chunks are dropped (never stored).
  req.push = (chunk: unknown) => chunk !== null;
  const close = () => setTimeout(() => req.socket.destroy(), LINGER_MS).unref();
  if (res.headersSent || res.writableEnded) {
    req.socket.destroy();
    return;
  }
  const body = JSON.stringify({ error, code });
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  // The rest of the body is read and dropped for a moment (a client that stops sending when it
  // sees the answer reads it instead of a connection reset), then the connection is closed.
  res.end(body, close);
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

export function edgeHandler(handle: Handler, options: EdgeOptions): Handler {
  const { bodyLimit, bodyTimeoutMs, trustedProxies } = options;
  return (req, res) => {
    if (options.hsts) res.setHeader('strict-transport-security', HSTS);
    delete req.headers[CLIENT_IP_HEADER];
    req.headers[CLIENT_IP_HEADER] = clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], trustedProxies);

    if (!hasBody(req)) return handle(req, res);
    const declared = Number(req.headers['content-length'] ?? 0);
    if (!(declared <= bodyLimit)) {
      return refuse(req, res, 413, `Request body too large (limit ${bodyLimit} bytes)`, 'payload_too_large');
    }

    // Take the body as the HTTP parser delivers it (IncomingMessage#push), keep it here, and give it
    // back to the stream when complete. Nothing downstream sees a byte before that.
    const push = req.push;
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = () => {
      done = true;
      clearTimeout(timer);
      req.push = push;
    };
    const timer = setTimeout(() => {
      if (done) return;
      finish();
      refuse(req, res, 408, `Request body not received within ${bodyTimeoutMs} ms`, 'request_timeout');
    }, bodyTimeoutMs);
    timer.unref();
    req.on('close', () => {
      if (!done) finish();
    });
    req.push = function (chunk: unknown, encoding?: BufferEncoding): boolean {
      if (done) return false;
      if (chunk === null) {
        finish();
        for (const c of chunks) push.call(req, c);
        push.call(req, null);
        handle(req, res);
        return false;
      }
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, encoding);
      size += buf.length;
      if (size > bodyLimit) {
        finish();
        chunks.length = 0;
        refuse(req, res, 413, `Request body too large (limit ${bodyLimit} bytes)`, 'payload_too_large');
        return false;
      }
      chunks.push(buf);
      return true;
    };
  };
}
