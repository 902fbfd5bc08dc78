// Starts the WhatsApp simulator and the console for all specs. Specs read the details from
// test-results/e2e-env.json.
//
// By default one console on a fresh SQLite database. With E2E_FLEET=1 (npm test runs the suite
// both ways) two consoles are nodes of one fleet on a fresh PostgreSQL database, with one bus key
// and one sign-in secret: the browser uses node A (`url`), and specs that act through the API
// send their calls to node B (`otherUrl`), so the phones they start run on the node the page is
// not on and everything the page shows of them crossed the fleet's bus.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { startConsole, type ConsoleServer } from '../../test/support/console-server';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases';
import { startSimulator } from '../../simulator';

export const ENV_FILE = path.resolve(__dirname, '../../test-results/e2e-env.json');

/**
 * The receiver ERROR_WEBHOOK_URL points at, up for the whole run (the consoles read their
 * environment once): it answers 204 to every delivery and lists what it got at GET /received,
 * where the webhooks spec checks its "Send test" arrived signed.
 */
async function startErrorWebhookReceiver() {
  const received: { url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/received') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(received));
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push({ url: String(req.url), headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A token in the query string, as receivers often take one: the page must not show it.
  const token = crypto.randomBytes(8).toString('hex');
  return { server, url: `${base}/error-hook?token=${token}`, token, receivedUrl: `${base}/received`, secret: crypto.randomBytes(24).toString('hex') };
}

export default async function globalSetup() {
  const simulator = await startSimulator({ port: 0 });
  const errorWebhook = await startErrorWebhookReceiver();
  // Three attempts per webhook delivery: the webhooks page test sees one fail within seconds
  // (the default retries for a day, docs/webhooks.md).
  const env = { SESSIONS_AUTOSTART: 'false', WA_WEBSOCKET_URL: simulator.url, SIMULATOR_URL: simulator.controlUrl, WEBHOOK_MAX_ATTEMPTS: '3',
    ERROR_WEBHOOK_URL: errorWebhook.url, ERROR_WEBHOOK_SECRET: errorWebhook.secret };
  const servers: ConsoleServer[] = [];
  let database: TestDatabase | null = null;
  if (process.env.E2E_FLEET === '1') {
    database = await createTestDatabase('postgresql');
    const shared = { ...env, FLEET_BUS_KEY: crypto.randomBytes(32).toString('base64url'), NEXTAUTH_SECRET: crypto.randomBytes(24).toString('hex') };
    servers.push(await startConsole({ database, env: { ...shared, NODE_ID: 'e2e_a' } }));
    servers.push(await startConsole({ database, env: { ...shared, NODE_ID: 'e2e_b' } }));
  } else {
    servers.push(await startConsole({ provider: 'sqlite', env }));
  }
  // The first console made the admin (the second found it there).
  const [first] = servers;
  fs.mkdirSync(path.dirname(ENV_FILE), { recursive: true });
  fs.writeFileSync(
    ENV_FILE,
    JSON.stringify({
      url: first.url,
      otherUrl: servers.at(-1)!.url,
      nodes: servers.length,
      provider: first.provider,
      adminEmail: first.adminEmail,
      adminPassword: first.adminPassword,
      databaseUrl: first.databaseUrl,
      simulatorUrl: simulator.controlUrl,
      errorWebhook: { url: errorWebhook.url, token: errorWebhook.token, receivedUrl: errorWebhook.receivedUrl, secret: errorWebhook.secret },
    }),
  );
  (globalThis as { __e2e?: unknown }).__e2e = { servers, simulator, database, errorWebhookReceiver: errorWebhook.server };
}
