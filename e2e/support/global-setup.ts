// Starts one console (fresh SQLite database, `next start`) and, when present, the WhatsApp
// simulator, for all specs. Specs read the details from test-results/e2e-env.json.
import fs from 'node:fs';
import path from 'node:path';
import { startConsole } from '../../test/support/console-server';

export const ENV_FILE = path.resolve(__dirname, '../../test-results/e2e-env.json');

export default async function globalSetup() {
  const extraEnv: Record<string, string> = { SESSIONS_AUTOSTART: 'false' };
  let simulator: { controlUrl: string; close(): Promise<void> } | null = null;
  const simEntry = path.resolve(__dirname, '../../simulator/index.ts');
  if (fs.existsSync(simEntry)) {
    // Imported by path so this file type-checks before the simulator exists.
    const { startSimulator } = await import(simEntry);
    simulator = await startSimulator({ port: 0 });
    const sim = simulator as unknown as { url: string; controlUrl: string };
    extraEnv.WA_WEBSOCKET_URL = sim.url;
    extraEnv.SIMULATOR_URL = sim.controlUrl;
  }
  const server = await startConsole({ provider: 'sqlite', env: extraEnv });
  fs.mkdirSync(path.dirname(ENV_FILE), { recursive: true });
  fs.writeFileSync(
    ENV_FILE,
    JSON.stringify({ url: server.url, adminEmail: server.adminEmail, adminPassword: server.adminPassword, databaseUrl: server.databaseUrl, simulatorUrl: extraEnv.SIMULATOR_URL ?? null }),
  );
  (globalThis as { __e2e?: unknown }).__e2e = { server, simulator };
}
