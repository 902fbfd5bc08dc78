// The HTTP edge in front of Next's request handler (used by scripts/server.ts, so by `npm start`,
// the demo and the tests): the one place that sees the socket. For every request it
//  - replaces CLIENT_IP_HEADER with the address from the socket (lib/http/client-address.ts);
//  - refuses a body whose Content-Length is above the limit with 413 before reading any of it;
//  - reads other bodies itself, at most `bodyLimit` bytes (413 and the connection closed beyond),
//    and hands the request to Next only once the whole body is in: no route, NextAuth's included,
//    ever holds more than the limit in memory;
//  - cuts a body that has not arrived completely within `bodyTimeoutMs` with 408;
//  - answers methods no route implements (TRACE, CONNECT, PROPFIND…) with a JSON 405 and `Allow`,
//    and /_next/image (the console serves no optimized images) with a JSON 404, before Next sees
//    them (Next answered both with a 500 in plain text);
//  - turns a page's 500 into 503 when the page failed because the database is unreachable
//    (lib/http/request-outcome.ts).
// Errors are JSON like every other /api answer; a 413 or 408 says `Connection: close` (the
// connection is closed after it: a client must not send its next request on it).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CLIENT_IP_HEADER, clientAddress, type TrustedProxies } from './client-address';
import { HSTS } from './security-headers';
import { runRequest, type RequestOutcome } from './request-outcome';

/** The methods the console's routes and pages implement; any other is refused at the edge. */
export const KNOWN_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
const KNOWN = new Set<string>(KNOWN_METHODS);

export interface EdgeOptions {
  bodyLimit: number;
  bodyTimeoutMs: number;
  trustedProxies: TrustedProxies;
  /** Add Strict-Transport-Security to every answer (the console is served over https). */
  hsts?: boolean;
  /** How long a refused body is still read and dropped before the socket is destroyed (default LINGER_MS). */
  lingerMs?: number;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

/** How long a refused body is still read (and dropped) so the client sees the answer, not a reset. */
const LINGER_MS = 2_000;

/** Writes the head of a JSON error answer `{ error, code }` and returns its body. */
function writeJsonError(res: ServerResponse, status: number, error: string, code: string, headers: Record<string, string>): string {
  const body = JSON.stringify({ error, code });
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  return body;
}

function answer(res: ServerResponse, status: number, error: string, code: string, headers: Record<string, string> = {}) {
  const body = writeJsonError(res, status, error, code, headers);
  res.end(res.req?.method === 'HEAD' ? undefined : body);
}

function refuse(req: IncomingMessage, res: ServerResponse, status: number, error: string, code: string, lingerMs = LINGER_MS, headers: Record<string, string> = {}) {
  // From now on the parser's chunks are dropped (never stored).
  req.push = (chunk: unknown) => chunk !== null;
  const close = () => setTimeout(() => req.socket.destroy(), lingerMs).unref();
  if (res.headersSent || res.writableEnded) {
    req.socket.destroy();
    return;
  }
  // `Connection: close`: the client sends no further request on this connection (it is destroyed
  // after the linger). Node would destroy it as soon as the answer is written; end it gently
  // instead (our half closes, the client's rest is still read and dropped), the timer destroys it.
  const socket = req.socket as IncomingMessage['socket'] & { destroySoon?: () => void };
  socket.destroySoon = () => socket.end();
  const body = writeJsonError(res, status, error, code, { ...headers, connection: 'close' });
  // The rest of the body is read and dropped for a moment (a client that stops sending when it
  // sees the answer reads it instead of a connection reset), then the connection is closed.
  res.end(body, close);
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** A page (not /api, not Next's assets) that fails because the database is down answers 503, not 500. */
function outageAware(req: IncomingMessage, res: ServerResponse, outcome: RequestOutcome) {
  const path = req.url ?? '/';
  if (path.startsWith('/api/') || path.startsWith('/_next/')) return;
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, status: number, ...rest: unknown[]) {
    if (status === 500 && outcome.databaseUnavailable) {
      status = 503;
      this.statusMessage = 'Service Unavailable';
      this.setHeader('retry-after', '5');
      if (typeof rest[0] === 'string') rest[0] = 'Service Unavailable';
    }
    return (writeHead as (...args: unknown[]) => ServerResponse).call(this, status, ...rest);
  } as typeof res.writeHead;
}

export function edgeHandler(handle: Handler, options: EdgeOptions): Handler {
  const { bodyLimit, bodyTimeoutMs, trustedProxies } = options;
  const next: Handler = (req, res) => {
    const outcome: RequestOutcome = { databaseUnavailable: false };
    outageAware(req, res, outcome);
    return runRequest(outcome, () => handle(req, res));
  };
  return (req, res) => {
    if (options.hsts) res.setHeader('strict-transport-security', HSTS);
    delete req.headers[CLIENT_IP_HEADER];
    req.headers[CLIENT_IP_HEADER] = clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], trustedProxies);
    const method = (req.method ?? '').toUpperCase();
    if (!KNOWN.has(method)) {
      // Not read: the connection is closed after the answer; a body that follows the headers is
      // dropped during the linger, like a refused one (the client reads the 405, not a reset).
      const allow = KNOWN_METHODS.filter((m) => m !== 'OPTIONS').join(', ');
      if (hasBody(req)) return refuse(req, res, 405, `Method not allowed: ${method.slice(0, 20)}`, 'method_not_allowed', options.lingerMs, { allow });
      return answer(res, 405, `Method not allowed: ${method.slice(0, 20)}`, 'method_not_allowed', { allow, connection: 'close' });
    }
    if (/^\/_next\/image(\?|\/|$)/.test(req.url ?? '')) {
      return answer(res, 404, 'Not found: the console serves no optimized images', 'not_found');
    }

    if (!hasBody(req)) return next(req, res);
    const declared = Number(req.headers['content-length'] ?? 0);
    if (!(declared <= bodyLimit)) {
      return refuse(req, res, 413, `Request body too large (limit ${bodyLimit} bytes)`, 'payload_too_large', options.lingerMs);
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
      refuse(req, res, 408, `Request body not received within ${bodyTimeoutMs} ms`, 'request_timeout', options.lingerMs);
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
        next(req, res);
        return false;
      }
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, encoding);
      size += buf.length;
      if (size > bodyLimit) {
        finish();
        chunks.length = 0;
        refuse(req, res, 413, `Request body too large (limit ${bodyLimit} bytes)`, 'payload_too_large', options.lingerMs);
        return false;
      }
      chunks.push(buf);
      return true;
    };
  };
}
