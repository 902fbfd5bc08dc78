// Starts the WhatsApp simulator and one console (fresh SQLite database, scripts/server.ts) for all
// specs. Specs read the details from test-results/e2e-env.json.
import fs from 'node:fs';
import path from 'node:path';
import { startConsole } from '../../test/support/console-server';
import { startSimulator } from '../../simulator';

export const ENV_FILE = path.resolve(__dirname, '../../test-results/e2e-env.json');

export default async function globalSetup() {
  const simulator = await startSimulator({ port: 0 });
  const server = await startConsole({
    provider: 'sqlite',
    env: { SESSIONS_AUTOSTART: 'false', WA_WEBSOCKET_URL: simulator.url, SIMULATOR_URL: simulator.controlUrl },
  });
  fs.mkdirSync(path.dirname(ENV_FILE), { recursive: true });
  fs.writeFileSync(
    ENV_FILE,
    JSON.stringify({ url: server.url, adminEmail: server.adminEmail, adminPassword: server.adminPassword, databaseUrl: server.databaseUrl, simulatorUrl: simulator.controlUrl }),
  );
  (globalThis as { __e2e?: unknown }).__e2e = { server, simulator };
}
