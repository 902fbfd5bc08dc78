// `npm run simulator`: the simulator on SIM_PORT (default 3001), until Ctrl-C.
import { startSimulator } from './index';

async function main() {
  const port = Number(process.env.SIM_PORT ?? 3001);
  const host = process.env.SIM_HOST ?? '127.0.0.1';
  const sim = await startSimulator({ port, host });
  console.log(`WhatsApp simulator listening\n  WebSocket (waWebSocketUrl): ${sim.url}\n  control API:               ${sim.controlUrl}`);
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
