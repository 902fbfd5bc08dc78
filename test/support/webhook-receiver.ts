// A local webhook receiver for tests: records every request; can be told to fail.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  json: Record<string, unknown>;
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
      received.push({ headers: req.headers, body, json: JSON.parse(body || '{}') });
      for (const w of waiters) w();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
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
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
