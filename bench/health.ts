// Health benchmark (issue 26): what the liveness probe costs at 2,000 phones, and how many bytes
// a phone's history takes per day.
//
// Probe: N real phones (default 200: pairing 2,000 real sockets does not fit a shared 2-CPU
// machine) run in a worker process through the SessionManager against the simulator (in this
// process); the worker's CPU time is measured over equal windows without and with the probe,
// alternating, in the same run. The probe runs at the rate 2,000 phones give at the default
// PROBE_INTERVAL_MS (60 s): 33.3 probes per second, so the difference is the probe overhead of
// 2,000 phones; per phone per minute = difference per minute / 2,000. A real probe round trip each
// (Baileys query → simulator → answer).
//
// History: one day of intervals for 2,000 phones written through the session store's own
// statements (a steady phone: 1 interval; a phone with 3 drops: 7), the table's size measured
// on PostgreSQL (pg_total_relation_size, indexes included) and SQLite (pages used).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startSimulator } from '../simulator';
import { createTestDatabase } from '../test/support/databases';
import { SqlBuilder, DIALECTS } from '../lib/sessions/store/sql';
import type { Db } from '../lib/db/client';

const FLEET = 2000;
const DEFAULT_INTERVAL_MS = 60_000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function probeOverhead() {
  const n = Number(process.env.BENCH_HEALTH_PHONES ?? 200);
  const windowMs = Number(process.env.BENCH_HEALTH_WINDOW_MS ?? 15_000);
  const rounds = Number(process.env.BENCH_HEALTH_ROUNDS ?? 3);
  // The probe rate of 2,000 phones at 60 s, with n phones.
  const intervalMs = Math.round((DEFAULT_INTERVAL_MS * n) / FLEET);
  const sim = await startSimulator({ port: 0 });
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'health-worker.ts'), String(n), sim.url, sim.controlUrl, '7717', String(windowMs), String(intervalMs), String(rounds)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    if (code !== 0) throw new Error(`health worker exited with ${code}`);
    const r = JSON.parse(out.trim().split('\n').at(-1)!) as { open: number; without: number[]; withProbe: number[]; probes: number };
    const perMin = (cpuMs: number) => (cpuMs / windowMs) * 60_000;
    const cpuWithout = median(r.without.map(perMin));
    const cpuWith = median(r.withProbe.map(perMin));
    const probesPerSec = r.probes / ((rounds * windowMs) / 1000);
    return {
      phones: n,
      open: r.open,
      probeRatePerSec: Number(probesPerSec.toFixed(1)),
      probeRateOf2000At60s: Number((FLEET / 60).toFixed(1)),
      cpuMsPerMinWithout: Math.round(cpuWithout),
      cpuMsPerMinWithProbe: Math.round(cpuWith),
      samplesMsPerMin: { without: r.without.map((v) => Math.round(perMin(v))), withProbe: r.withProbe.map((v) => Math.round(perMin(v))) },
      probeCpuMsPerPhonePerMinAt2000: Number(((cpuWith - cpuWithout) / FLEET).toFixed(4)),
      cpuUsPerProbe: Number((((cpuWith - cpuWithout) / 60 / probesPerSec) * 1000).toFixed(1)),
      idleCpuMsPerPhonePerMin: Number((cpuWithout / n).toFixed(3)),
    };
  } finally {
    await sim.close();
  }
}

async function tableBytes(db: Db, provider: 'sqlite' | 'postgresql'): Promise<number> {
  if (provider === 'postgresql') {
    await db.$executeRawUnsafe('VACUUM ANALYZE "PhoneStateInterval"');
    const rows = await db.$queryRawUnsafe<{ n: bigint }[]>(`SELECT pg_total_relation_size('"PhoneStateInterval"') AS n`);
    return Number(rows[0].n);
  }
  await db.$executeRawUnsafe('VACUUM');
  const pages = await db.$queryRawUnsafe<{ n: bigint }[]>('PRAGMA page_count');
  const size = await db.$queryRawUnsafe<{ n: bigint }[]>('PRAGMA page_size');
  return Number(Object.values(pages[0])[0]) * Number(Object.values(size[0])[0]);
}

async function historyBytes(provider: 'sqlite' | 'postgresql') {
  const tdb = await createTestDatabase(provider);
  try {
    const { db } = tdb;
    const org = await db.organization.create({ data: { name: 'bench' } });
    for (let i = 0; i < FLEET; i += 500) {
      await db.organizationPhone.createMany({ data: Array.from({ length: Math.min(500, FLEET - i) }, (_, j) => ({ organizationId: org.id, phoneJid: `7718${String(i + j).padStart(7, '0')}@s.whatsapp.net` })) });
    }
    const phones = await db.organizationPhone.findMany({ select: { id: true } });
    const sql = new SqlBuilder(DIALECTS[provider]);
    const day0 = Date.parse('2026-12-01T00:00:00Z');
    const write = async (drops: number) => {
      const before = await tableBytes(db, provider);
      // A day of one phone: open, then `drops` × (connecting after a 428 close, open again 2 s later).
      for (const p of phones) {
        const statements = sql.interval(p.id, { state: 'open', prev: 'connecting', at: new Date(day0), reason: null, code: null });
        for (let k = 0; k < drops; k++) {
          const at = day0 + ((k + 1) * 24 * 3600_000) / (drops + 1);
          statements.push(...sql.interval(p.id, { state: 'connecting', prev: 'open', at: new Date(at), reason: 'Connection Closed', code: 428 }));
          statements.push(...sql.interval(p.id, { state: 'open', prev: 'connecting', at: new Date(at + 2000), reason: null, code: null }));
        }
        await db.$transaction(statements.map((s) => db.$executeRawUnsafe(s.sql, ...s.params)));
      }
      return (await tableBytes(db, provider)) - before;
    };
    const steady = await write(0);
    const threeDrops = await write(3);
    return { bytesPerPhonePerDaySteady: Math.round(steady / FLEET), bytesPerPhonePerDay3Drops: Math.round(threeDrops / FLEET), rowsPerDay3Drops: 7, rowsPerDaySteady: 'one per stretch: a phone open all month is 1 row' };
  } finally {
    await tdb.drop();
  }
}

export async function healthBenchmark() {
  // BENCH_HEALTH_PART=history or probe runs only that half.
  const part = process.env.BENCH_HEALTH_PART;
  const history = part === 'probe' ? null : { postgresql: await historyBytes('postgresql'), sqlite: await historyBytes('sqlite') };
  const probe = part === 'history' ? null : await probeOverhead();
  return {
    method:
      'probe: N real phones (BENCH_HEALTH_PHONES, default 200) in a worker process (SessionManager, SQLite) against the simulator in the parent; the worker\'s CPU time over BENCH_HEALTH_ROUNDS × 2 alternating windows of BENCH_HEALTH_WINDOW_MS without / with the probe, the probe at the rate of 2,000 phones at PROBE_INTERVAL_MS = 60 s (33.3 probes/s, a real query round trip each); medians. history: 2,000 phones × one day of intervals through the store\'s statements, table size with indexes (PostgreSQL: pg_total_relation_size after VACUUM; SQLite: pages after VACUUM, whole file delta).',
    probe,
    history,
  };
}

if (require.main === module) {
  healthBenchmark().then(
    (r) => {
      console.log(JSON.stringify(r, null, 2));
      process.exit(0);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
