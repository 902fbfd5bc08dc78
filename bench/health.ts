// Health benchmark (issue 26): what the liveness probe costs at 2,000 phones, and how many bytes
// a phone's history takes per day.
//
// Probe: N real phones (default 2,000, BENCH_HEALTH_PHONES) are paired once through the density
// benchmark's pairing worker (the console's SessionManager, SQLite, QR → scan against a simulator
// in this process; not measured), then a fresh worker process (health-worker.ts) starts all N
// from the database as the console does at boot and holds the N sockets. Its CPU time is
// measured over equal windows without and with the probe at the default PROBE_INTERVAL_MS,
// alternating which goes first, in the same run: the difference per minute / N is the probe's
// CPU per phone per minute. A real probe round trip each (Baileys query → simulator → answer).
//
// History: one day of intervals for 2,000 phones written through the session store's own
// statements (a steady phone: 1 interval; a phone with 3 drops: 7), the table's size measured
// on PostgreSQL (pg_total_relation_size, indexes included) and SQLite (pages used).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase } from '../test/support/databases';
import { SqlBuilder, DIALECTS } from '../lib/sessions/store/sql';
import { parseConfig } from '../lib/config';
import type { Db } from '../lib/db/client';
import { prepare, median } from './density';
import { KEEPALIVE_MS } from './idle';
import { runAlone } from './run-alone';

const FLEET = 2000;

async function probeOverhead() {
  const n = Number(process.env.BENCH_HEALTH_PHONES ?? FLEET);
  // One keep-alive interval by default: each window holds one keep-alive round per phone.
  const windowMs = Number(process.env.BENCH_HEALTH_WINDOW_MS ?? KEEPALIVE_MS);
  const rounds = Number(process.env.BENCH_HEALTH_ROUNDS ?? 4);
  // The console's defaults (lib/config.ts), not a copy of them.
  const { PROBE_INTERVAL_MS: intervalMs, PROBE_TIMEOUT_MS: timeoutMs } = parseConfig({});
  const memBefore = { totalMb: Math.round(os.totalmem() / 1e6), freeMb: Math.round(os.freemem() / 1e6) };
  const prepared = await prepare('manager', n, '7717', 'pair-most');
  console.log(JSON.stringify({ health: { paired: n, pairMs: prepared.pairMs } }));
  try {
    const child = spawn(
      process.execPath,
      ['--max-old-space-size=4096', '--import', 'tsx', path.join(__dirname, 'health-worker.ts'), String(n), prepared.sim.url, prepared.dir, String(windowMs), String(intervalMs), String(timeoutMs), String(rounds)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    if (code !== 0) throw new Error(`health worker exited with ${code}`);
    const r = JSON.parse(out.trim().split('\n').at(-1)!) as {
      open: number;
      booted: number;
      openAtStart: number;
      notOpen: Record<string, number>;
      bootChanges: Record<string, number>;
      unresponsive: number;
      bootMs: number;
      bootCpuMs: number;
      rssMb: number;
      order: string[];
      without: number[];
      withProbe: number[];
      probes: number;
      completed: number;
      roundTripMs: { p50: number; p95: number; max: number };
    };
    const perMin = (cpuMs: number) => (cpuMs / windowMs) * 60_000;
    const cpuWithout = median(r.without.map(perMin));
    const cpuWith = median(r.withProbe.map(perMin));
    const probesPerSec = r.probes / ((rounds * windowMs) / 1000);
    // Per phone: of the phones that held an open socket through the windows.
    const held = r.openAtStart;
    return {
      phones: n,
      paired: r.booted,
      openAtStart: held,
      notOpenAtStart: r.notOpen,
      bootStateChanges: r.bootChanges,
      pairMs: prepared.pairMs,
      bootMs: Math.round(r.bootMs),
      bootCpuMs: Math.round(r.bootCpuMs),
      consoleRssMb: Math.round(r.rssMb),
      memory: memBefore,
      openAtEnd: r.open,
      unresponsiveAtEnd: r.unresponsive,
      probeIntervalMs: intervalMs,
      probeTimeoutMs: timeoutMs,
      windowMs,
      rounds,
      order: r.order,
      probeRatePerSec: Number(probesPerSec.toFixed(1)),
      probesStarted: r.probes,
      probesCompleted: r.completed,
      probeRoundTripMs: { p50: Number(r.roundTripMs.p50?.toFixed(1)), p95: Number(r.roundTripMs.p95?.toFixed(1)), max: Number(r.roundTripMs.max?.toFixed(1)) },
      cpuMsPerMinWithout: Math.round(cpuWithout),
      cpuMsPerMinWithProbe: Math.round(cpuWith),
      samplesMsPerMin: { without: r.without.map((v) => Math.round(perMin(v))), withProbe: r.withProbe.map((v) => Math.round(perMin(v))) },
      cpuMsPerPhonePerMinWithout: Number((cpuWithout / held).toFixed(3)),
      cpuMsPerPhonePerMinWithProbe: Number((cpuWith / held).toFixed(3)),
      probeCpuMsPerPhonePerMin: Number(((cpuWith - cpuWithout) / held).toFixed(3)),
      cpuUsPerProbe: Number((((cpuWith - cpuWithout) / 60 / probesPerSec) * 1000).toFixed(1)),
    };
  } finally {
    await prepared.sim.close();
    fs.rmSync(prepared.dir, { recursive: true, force: true });
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
      "probe: N real phones (BENCH_HEALTH_PHONES, default 2,000) paired once by the density benchmark's pairing worker (SessionManager, SQLite; not measured), then started from the database by a fresh worker process (the SessionManager's boot, as the console starts; it holds all N sockets) against the simulator in the parent; that worker's CPU time (user + system) over BENCH_HEALTH_ROUNDS rounds of two windows of BENCH_HEALTH_WINDOW_MS (default one keep-alive interval, 30 s), without and with the probe at the console's default PROBE_INTERVAL_MS / PROBE_TIMEOUT_MS (a real query round trip each), the order alternating per round; medians, every sample kept. history: 2,000 phones × one day of intervals through the store's statements, table size with indexes (PostgreSQL: pg_total_relation_size after VACUUM; SQLite: pages after VACUUM, whole file delta).",
    probe,
    history,
  };
}

if (require.main === module) runAlone(healthBenchmark);
