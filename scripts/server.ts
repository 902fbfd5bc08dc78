// The console's HTTP server: Next's request handler behind the HTTP edge (lib/http/edge.ts:
// client address, body limit and timeout). Every launcher runs this file: `npm start`
// (scripts/start.ts), the demo (scripts/demo.ts), the HTTP tests and e2e
// (test/support/console-server.ts). It listens on HOST (127.0.0.1 unless set) and PORT.
// NEXT_MANUAL_SIG_HANDLE is set so that lib/boot/boot.ts alone handles SIGTERM/SIGINT (sessions are
// closed before the process exits).
import http from 'node:http';
import path from 'node:path';
import { parseConfig } from '../lib/config';
import { TrustedProxies } from '../lib/http/client-address';
import { edgeHandler } from '../lib/http/edge';
import { isHttps } from '../lib/http/security-headers';

const ROOT = path.resolve(__dirname, '..');

async function main() {
  (process.env as Record<string, string>).NODE_ENV ||= 'production';
  process.env.NEXT_MANUAL_SIG_HANDLE = 'true';
  const config = parseConfig(process.env);
  const trustedProxies = new TrustedProxies(config.TRUSTED_PROXIES);
  const { default: next } = await import('next');
  const app = next({ dev: false, dir: ROOT, hostname: config.HOST, port: config.PORT });
  await app.prepare();
  const handle = app.getRequestHandler();
  const edge = edgeHandler((req, res) => handle(req, res), {
    bodyLimit: config.API_BODY_LIMIT,
    bodyTimeoutMs: config.BODY_TIMEOUT_MS,
    trustedProxies,
    hsts: isHttps(config.NEXTAUTH_URL),
  });
  const server = http.createServer(
    {
      // Backstops behind the edge's own body timeout (which answers JSON).
      headersTimeout: Math.min(60_000, config.BODY_TIMEOUT_MS),
      requestTimeout: config.BODY_TIMEOUT_MS + 5_000,
      connectionsCheckingInterval: 1_000,
    },
    edge,
  );
  // `Expect: 100-continue`: invite the body only when it may be sent (the edge answers 413 otherwise).
  server.on('checkContinue', (req, res) => {
    if (Number(req.headers['content-length'] ?? 0) <= config.API_BODY_LIMIT) res.writeContinue();
    edge(req, res);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, resolve);
  });
  console.log(`Console listening on http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${config.PORT}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
