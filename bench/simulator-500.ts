// The simulator under 500 concurrent sessions: pairs 500 real Baileys clients (not timed), then
// logs all of them in at once and reports the time until all are open and the process memory.
// Run: npx tsx bench/simulator-500.ts [N]   (last line of output: JSON)
import { startSimulator } from '../simulator';
import { connect, pairPhone } from '../simulator/test/helpers';

async function main() {
  const N = Number(process.argv[2] ?? 500);
  process.on('unhandledRejection', () => {});
  const sim = await startSimulator({ port: 0 });
  const auths = [];
  for (let i = 0; i < N; i += 50) {
    auths.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(50, N - i) }, async (_, j) => {
          const c = await pairPhone(sim, `7715${String(i + j).padStart(7, '0')}`);
          c.sock.end(undefined);
          await c.closed;
          return c.auth;
        }),
      )),
    );
  }
  global.gc?.();
  const before = process.memoryUsage().rss;
  const t0 = performance.now();
  const clients = auths.map((auth) => connect(sim.url, auth));
  await Promise.all(clients.map((c) => c.next((u) => u.connection === 'open', 120_000)));
  const allOpenMs = Math.round(performance.now() - t0);
  global.gc?.();
  const rssMb = Math.round(process.memoryUsage().rss / 1e6);
  const connections = sim.phones().reduce((a, p) => a + p.connections, 0);
  const result = { n: N, allOpenMs, connections, rssMb, rssPerSessionMb: Number(((process.memoryUsage().rss - before) / N / 1e6).toFixed(3)), note: 'clients and simulator share this process' };
  await Promise.all(clients.map((c) => (c.sock.end(undefined), c.closed)));
  await sim.close();
  console.log(JSON.stringify(result));
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
