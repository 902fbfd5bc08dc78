// A local webhook receiver for tests: records every request; can be told to fail.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  json: Record<string, unknown>;
  /** Date.now() when the request was answered */
  at: number;
}

export async function startWebhookReceiver() {
  const received: Received[] = [];
  let failNext = 0;
  const waiters = new Set<() => void>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (failNext > 0) {
        failNext--;
        res.writeHead(500).end('nope');
      } else {
        res.writeHead(204).end();
      }
      received.push({ headers: req.headers, body, json: JSON.parse(body || '{}'), at: Date.now() });
      for (const w of waiters) w();
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    failNextRequests(n: number) {
      failNext = n;
    },
    waitFor(pred: (r: Received) => boolean, timeoutMs = 60_000): Promise<Received> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = received.find(pred);
          if (hit) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(hit);
          }
        };
        const timer = setTimeout(() => reject(new Error(`no webhook matched; got ${JSON.stringify(received.map((r) => r.json))}`)), timeoutMs);
        waiters.add(check);
        check();
      });
    },
    /** An outage: connections are refused until up(). */
    async down() {
      const closed = new Promise<void>((r) => server.close(() => r()));
      for (const s of sockets) s.destroy();
      await closed;
    },
    /** Back on the same port. */
    up: () => new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    }),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
