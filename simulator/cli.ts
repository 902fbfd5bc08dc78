// `npm run simulator`: the simulator on SIM_PORT (default 3001), until Ctrl-C.
// `--idle-timeout-ms <n>` (or SIM_IDLE_TIMEOUT_MS): drop a connection that sent nothing for n ms
// (a frozen client's socket), as WhatsApp does; 0 (the default) never drops.
// SIM_REGISTRY_FILE: keep the linked devices in this JSON file across restarts (only they log in).
import { startSimulator } from './index';

function idleTimeoutMs(): number {
  const i = process.argv.indexOf('--idle-timeout-ms');
  const raw = i >= 0 ? process.argv[i + 1] : process.env.SIM_IDLE_TIMEOUT_MS;
  const n = Number(raw ?? 0);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--idle-timeout-ms must be a whole number of milliseconds, not ${raw}`);
  return n;
}

async function main() {
  const port = Number(process.env.SIM_PORT ?? 3001);
  const host = process.env.SIM_HOST ?? '127.0.0.1';
  const sim = await startSimulator({ port, host, idleTimeoutMs: idleTimeoutMs(), registryFile: process.env.SIM_REGISTRY_FILE || undefined });
  console.log(`WhatsApp simulator listening\n  WebSocket (waWebSocketUrl): ${sim.url}\n  control API:               ${sim.controlUrl}\n  media host (HTTPS):        ${sim.media.host}:${sim.media.port} (CA: GET ${sim.controlUrl}/media/ca)`);
  const stop = async () => {
    await sim.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
