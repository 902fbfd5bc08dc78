// One side of the density benchmark, in its own process so its memory is its own.
//   manager: N phones through the console's SessionManager with the database auth state (SQLite)
//   bare:    N bare Baileys sockets with useMultiFileAuthState behind makeCacheableSignalKeyStore,
//            with the console's socket settings (lib/sessions/socket-options.ts)
// both on the engine named last on the command line (baileys-6 | baileys-7): the manager's phones
// get it as their row's engine, the bare sockets are that Baileys version's own.
// Protocol on stdout (JSON lines): {phase:'paired'} → (parent: "go") → {phase:'open', ...} →
// {phase:'idle', eld, cpu} → (parent sends traffic, then "traffic-done") → {phase:'traffic', eld}.
import path from 'node:path';
import readline from 'node:readline';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import { openBare, pairBare, scanQr } from './bare-socket';
import pino from 'pino';
import { createDb } from '../lib/db/client';
import { migrateDeploy } from '../lib/db/migrate';
import { SessionManager } from '../lib/sessions/manager';
import { testSettings } from '../test/support/engine';
import { pairPhones } from '../test/support/pairing';
import { KEEPALIVE_MS, idleWindowMs } from './idle';
import { isEngineName, type EngineName } from '../lib/sessions/engines/types';

// Pairing and measuring run in separate processes, so the measured one starts clean.
const [mode, step, nArg, simUrl, controlUrl, prefix, dir, engineArg = 'baileys-6'] = process.argv.slice(2);
if (!isEngineName(engineArg)) throw new Error(`not an engine: ${engineArg}`);
const engine: EngineName = engineArg;
const N = Number(nArg);
const out = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');
const lines = readline.createInterface({ input: process.stdin });
const waitFor = (word: string) => new Promise<void>((resolve) => lines.on('line', (l) => l.trim() === word && resolve()));
const silent = pino({ level: 'silent' });
const jids = Array.from({ length: N }, (_, i) => `${prefix}${String(i).padStart(5, '0')}@s.whatsapp.net`);
const scan = (jid: string, qr: string) => scanQr(controlUrl, jid, qr);

async function eld(ms: number) {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  await new Promise((r) => setTimeout(r, ms));
  h.disable();
  return { p50Ms: h.percentile(50) / 1e6, p99Ms: h.percentile(99) / 1e6, maxMs: h.max / 1e6 };
}

/**
 * With BENCH_CPU_PROFILE=<file> (bench/profile-login.ts), the login window alone is CPU-profiled
 * (V8's sampling profiler through the inspector); otherwise a no-op.
 */
async function profileLogin(): Promise<() => Promise<void>> {
  const file = process.env.BENCH_CPU_PROFILE;
  if (!file) return async () => {};
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    fs.writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

type Memory = { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number };

/**
 * The process's memory (MB) after full GCs, once RSS has settled: V8 returns freed pages to the
 * system from background threads after a GC, so a reading taken at once can sit tens of MB above
 * the one taken moments later (98 and 135 MB apart at 2,000 phones). Readings 250 ms apart until two
 * agree within 1 MB (at most 5 s); the same procedure on both sides and before and after login.
 */
async function settledMemoryMb(): Promise<Memory> {
  const read = (): Memory => {
    global.gc?.();
    global.gc?.();
    const m = process.memoryUsage();
    return { rss: m.rss / 1e6, heapTotal: m.heapTotal / 1e6, heapUsed: m.heapUsed / 1e6, external: m.external / 1e6, arrayBuffers: m.arrayBuffers / 1e6 };
  };
  let last = read();
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 250));
    const now = read();
    const settled = Math.abs(now.rss - last.rss) < 1;
    last = now;
    if (settled) break;
  }
  return last;
}

/** CPU time (user + system, ms) this process has used so far: the login's own cost, whatever else runs on the machine. */
const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

async function manager() {
  const url = `file:${path.join(dir, 'bench.db')}`;
  const settings = testSettings(simUrl, { keepAliveIntervalMs: KEEPALIVE_MS, defaultEngine: engine });
  if (step === 'pair' || step === 'pair-most') {
    await migrateDeploy(url);
    const db = createDb(url);
    const pairingManager = new SessionManager(db, settings, silent);
    const sim = { url: simUrl, scan: (jid: string, qr: string) => scan(jid, qr) } as never;
    if (step === 'pair') await pairPhones(db, pairingManager, sim, jids, 50, engine);
    else {
      // pair-most (the health bench): a phone whose pairing times out on a loaded machine (one
      // of 2,000 did at a load average of 9) is dropped, not the whole run; the rest are measured.
      for (let i = 0; i < jids.length; i += 50) await pairPhones(db, pairingManager, sim, jids.slice(i, i + 50), 50, engine).catch((err) => console.error(`  ${err.message}`));
    }
    await pairingManager.shutdown();
    if (step === 'pair-most') {
      const { count } = await db.organizationPhone.deleteMany({ where: { status: { not: 'open' } } });
      if (count) console.error(`  ${count} phones that did not pair are left out`);
    }
    out({ phase: 'paired' });
    process.exit(0);
  }
  const db = createDb(url);
  // Phones were paired for the largest N: only the first N are marked running, so boot starts those.
  // The numbers are zero-padded, so the first N are exactly those below the (N+1)-th.
  const firstAfter = `${prefix}${String(N).padStart(5, '0')}@s.whatsapp.net`;
  await db.organizationPhone.updateMany({ where: { phoneJid: { lt: firstAfter } }, data: { status: 'open' } });
  await db.organizationPhone.updateMany({ where: { phoneJid: { gte: firstAfter } }, data: { status: 'closed' } });
  // The comparison is per engine: every phone measured must run the engine this worker was given.
  const elsewhere = await db.organizationPhone.count({ where: { phoneJid: { lt: firstAfter }, engine: { not: engine } } });
  if (elsewhere) throw new Error(`${elsewhere} phones are not on ${engine}`);
  await db.organizationPhone.count(); // open the database before the baseline
  const baseMemory = await settledMemoryMb();
  const m = new SessionManager(db, settings, silent);
  let open = 0;
  const allOpen = new Promise<void>((resolve) => m.subscribe((e) => e.type === 'state' && e.state === 'open' && ++open === N && resolve()));
  const stopProfile = await profileLogin();
  const cpu0 = cpuMs();
  const t0 = performance.now();
  await m.boot();
  await allOpen;
  const openMs = performance.now() - t0;
  const loginCpuMs = cpuMs() - cpu0;
  await stopProfile();
  return { baseMemory, openMs, loginCpuMs, stop: () => m.shutdown() };
}

async function bare() {
  const o = { dir, simUrl, controlUrl, keepAliveIntervalMs: KEEPALIVE_MS, writes: [] as Promise<void>[], engine };
  const open = (jid: string, expectQr: boolean) => openBare(jid, expectQr, o);
  if (step === 'pair') {
    await pairBare(jids, o);
    out({ phase: 'paired' });
    process.exit(0);
  }
  const baseMemory = await settledMemoryMb();
  const stopProfile = await profileLogin();
  const cpu0 = cpuMs();
  const t0 = performance.now();
  // A login that closes before it opens is tried again, as a user's reconnect loop (and the
  // console's own reconnect) does: on Baileys 7, 500 logins at once outlast its 20 s connect
  // timeout on a 2-CPU machine, and the manager side retries them too.
  let retries = 0;
  const openRetrying = async (jid: string) => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const sock = await open(jid, false);
      if (sock) return sock;
      retries++;
    }
    return null;
  };
  const socks = await Promise.all(jids.map(openRetrying));
  const openMs = performance.now() - t0;
  if (retries) console.error(`  bare: ${retries} logins closed before they opened and were tried again`);
  const loginCpuMs = cpuMs() - cpu0;
  await stopProfile();
  if (socks.some((s) => !s)) throw new Error('a bare socket did not open');
  return { baseMemory, openMs, loginCpuMs, stop: async () => socks.forEach((s) => s?.end(undefined)) };
}

async function main() {
  const side = mode === 'manager' ? await manager() : await bare();
  await new Promise((r) => setTimeout(r, 3000)); // let start-up garbage settle before measuring
  const memory = await settledMemoryMb();
  const base = side.baseMemory;
  // Per session, by kind (MB): where an RSS difference between the sides lives.
  const memoryPerSession = Object.fromEntries(Object.entries(memory).map(([k, v]) => [k, Number(((v - base[k as keyof Memory]) / N).toFixed(4))]));
  out({
    phase: 'open',
    openMs: side.openMs,
    loginCpuMs: side.loginCpuMs,
    rssMb: memory.rss,
    baseMb: base.rss,
    perSessionMb: (memory.rss - base.rss) / N,
    heapPerSessionMb: (memory.heapUsed - base.heapUsed) / N,
    memoryPerSession,
  });
  // Idle: event-loop delay and CPU time over the same window (keep-alives every 30 s on both sides).
  const idleMs = idleWindowMs();
  const cpu0 = process.cpuUsage();
  const idleEld = await eld(idleMs);
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  out({ phase: 'idle', eld: idleEld, idleMs, cpuMs, cpuMsPerSessionPerMin: cpuMs / N / (idleMs / 60_000) });
  const traffic = eld(6000);
  out({ phase: 'traffic-start' });
  await waitFor('traffic-done');
  out({ phase: 'traffic', eld: await traffic });
  await side.stop();
  process.exit(0);
}

process.on('unhandledRejection', () => {});
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
