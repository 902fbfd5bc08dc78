// Benchmark 3: the sessions API with 1,000 phones, measured with autocannon, against /api/health
// on the same server.
import autocannon from 'autocannon';
import { startConsole } from '../test/support/console-server';

function run(url: string, token: string, seconds: number, connections: number) {
  return new Promise<{ rps: number; p50Ms: number; p99Ms: number; non2xx: number }>((resolve, reject) => {
    autocannon({ url, connections, duration: seconds, headers: { authorization: `Bearer ${token}` } }, (err, r) => {
      if (err) return reject(err);
      resolve({ rps: Math.round(r.requests.average), p50Ms: r.latency.p50, p99Ms: r.latency.p99, non2xx: r.non2xx });
    });
  });
}

export async function apiBenchmark(phones = 1000, seconds = 10, connections = 10) {
  const server = await startConsole({ provider: 'sqlite', env: { SESSIONS_AUTOSTART: 'false', LOG_LEVEL: 'error' } });
  try {
    const org = await server.db.organization.create({ data: { name: 'Bench' } });
    await server.db.organizationPhone.createMany({
      data: Array.from({ length: phones }, (_, i) => ({ organizationId: org.id, phoneJid: `7713${String(i).padStart(7, '0')}@s.whatsapp.net`, status: 'closed' })),
    });
    const token = await server.createToken('read');
    const first = await server.db.organizationPhone.findFirstOrThrow();
    await run(`${server.url}/api/sessions`, token, 2, connections); // warm-up
    const list = await run(`${server.url}/api/sessions`, token, seconds, connections);
    const stats = await run(`${server.url}/api/sessions/${first.id}/stats`, token, seconds, connections);
    const health = await run(`${server.url}/api/health`, token, seconds, connections);
    const result = { phones, seconds, connections, list, stats, health, ratio: { listVsHealthRps: Number((list.rps / health.rps).toFixed(2)), statsVsHealthRps: Number((stats.rps / health.rps).toFixed(2)) } };
    console.log(JSON.stringify(result));
    return result;
  } finally {
    await server.stop();
  }
}
