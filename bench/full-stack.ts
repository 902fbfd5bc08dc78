// Full stack: the console as `npm start` runs it (scripts/server.ts: Next behind the HTTP edge,
// the session manager booted by instrumentation.ts, API and event stream served) holding the N phones
// the density benchmark's manager side paired (same SQLite file, same simulator). One read-scoped
// token keeps an event stream open the whole time; RSS, CPU and event-loop delay come from the
// console's own /api/metrics (prom-client's process and event-loop collectors).
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import type { Simulator } from '../simulator';
import { createDb } from '../lib/db/client';
import { createToken } from '../lib/auth/tokens';
import { freePort } from '../test/support/console-server';
import { trackOpenPhones } from './stream';
import { eventually } from '../test/support/eventually';
import { KEEPALIVE_MS, idleWindowMs } from './idle';

const ROOT = path.resolve(__dirname, '..');

function metric(text: string, name: string): number {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text);
  if (!m) throw new Error(`metric ${name} missing`);
  return Number(m[1]);
}

export async function fullStackRun(sim: Simulator, dir: string, n: number) {
  const databaseUrl = `file:${path.join(dir, 'bench.db')}`;
  const db = createDb(databaseUrl);
  const { token } = await createToken(db, { name: `bench-${crypto.randomBytes(3).toString('hex')}`, scopes: ['read'] });
  await db.$disconnect();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const auth = { authorization: `Bearer ${token}` };
  let log = '';
  const t0 = performance.now();
  // The console's server as scripts/start.ts (`npm start`) runs it: scripts/server.ts, Next behind the HTTP edge.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'server.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      NEXT_MANUAL_SIG_HANDLE: 'true', // as scripts/start.ts
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      NEXTAUTH_URL: url,
      NEXTAUTH_SECRET: crypto.randomBytes(24).toString('hex'),
      WA_WEBSOCKET_URL: sim.url,
      KEEPALIVE_INTERVAL_MS: String(KEEPALIVE_MS), // as the density workers
      LOG_LEVEL: 'warn',
      OUTBOUND_ALLOW_INTERNAL: '127.0.0.0/8,::1', // local receivers and proxies
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (log = (log + d).slice(-4000)));
  child.stderr!.on('data', (d) => (log = (log + d).slice(-4000)));
  let stop = () => {};
  try {
    await eventually('the console to answer', async () => {
      if (child.exitCode !== null) throw new Error(`console exited:\n${log}`);
      return (await fetch(`${url}/api/health`)).ok ? true : undefined;
    }, 120_000, 250);
    const healthyMs = performance.now() - t0;
    const tracker = await trackOpenPhones(url, auth);
    stop = () => tracker.close();
    const open = tracker.open;
    await eventually(`${n} phones open`, async () => (open.size >= n ? true : undefined), 300_000, 250);
    const allOpenMs = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 3000)); // as the workers: let start-up garbage settle
    const scrape = async () => {
      const r = await fetch(`${url}/api/metrics`, { headers: auth });
      if (!r.ok) throw new Error(`metrics answered ${r.status}`);
      return r.text();
    };
    const cpu = (t: string) => metric(t, 'wa_console_process_cpu_seconds_total');
    const before = await scrape(); // also resets the event-loop histogram
    const idleMs = idleWindowMs();
    await new Promise((r) => setTimeout(r, idleMs));
    const after = await scrape();
    const cpuMs = (cpu(after) - cpu(before)) * 1000;
    const rssMb = metric(after, 'wa_console_process_resident_memory_bytes') / 1e6;
    const t = performance.now();
    const list = await fetch(`${url}/api/sessions`, { headers: auth });
    await list.arrayBuffer();
    const listMs = performance.now() - t;
    return {
      n,
      healthyMs: Math.round(healthyMs),
      allOpenMs: Math.round(allOpenMs),
      rssMb: Math.round(rssMb),
      rssPerSessionMb: Number((rssMb / n).toFixed(3)),
      idleMs,
      idleCpuMsPerSessionPerMin: Number((cpuMs / n / (idleMs / 60_000)).toFixed(2)),
      eldIdleP99Ms: Number((metric(after, 'wa_console_nodejs_eventloop_lag_p99_seconds') * 1000).toFixed(1)),
      streamStateEvents: tracker.stateEvents(),
      listAllMs: Math.round(listMs),
      // Boot opens phones through the staggered start (START_RATE_PER_SEC, lib/fleet/start-gate.ts).
      startRatePerSec: Number(process.env.START_RATE_PER_SEC ?? 50),
      note: 'allOpenMs counts from process spawn (Next start-up included) and includes the staggered start (startRatePerSec new starts per second); rssPerSessionMb is gross (whole process / N); event-loop p99 from prom-client (10 ms resolution)',
    };
  } finally {
    stop();
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }
  }
}
