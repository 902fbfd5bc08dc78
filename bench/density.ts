// Benchmark 1: session density, the console's manager against bare Baileys + useMultiFileAuthState.
// Each side pairs the largest N of phones once (not timed) against its own simulator; then for
// each N it logs the first N in with saved credentials `samples` times, alternating which side
// goes first (the manager's worker marks only those N as running before it boots); each
// sample is a fresh process (density-worker.ts). Every figure is reported as the median of the
// samples with its spread (min–max), and each ratio (verdict) is median against median.
// Optionally (fullStackSizes) the console as `npm start` runs it holds the manager side's phones.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { startSimulator, type Simulator } from '../simulator';
import { fullStackRun } from './full-stack';
import { KEEPALIVE_MS, idleWindowMs } from './idle';

type Msg = { phase: string; [k: string]: unknown };
type Side = 'manager' | 'bare';

function worker(args: string[], nodeArgs: string[] = []) {
  return spawn(process.execPath, ['--expose-gc', '--max-old-space-size=4096', ...nodeArgs, '--import', 'tsx', path.join(__dirname, 'density-worker.ts'), ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
}

export interface Prepared {
  side: Side;
  n: number;
  sim: Simulator;
  dir: string;
  prefix: string;
  pairMs: number;
}

/** Pairs `n` phones for one side (the largest N: smaller N log in the first N of them). */
export async function prepare(side: Side, n: number, prefix: string, step: 'pair' | 'pair-most' = 'pair'): Promise<Prepared> {
  const sim = await startSimulator({ port: 0 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${side}-`));
  const t0 = performance.now();
  const pairing = worker([side, step, String(n), sim.url, sim.controlUrl, prefix, dir]);
  const code = await new Promise<number | null>((r) => pairing.once('exit', r));
  if (code !== 0) throw new Error(`${side} pairing of ${n} phones failed`);
  return { side, n, sim, dir, prefix, pairMs: Math.round(performance.now() - t0) };
}

/**
 * One sample: a fresh worker process logs all N phones in, then idle, then 5 s of 50 msg/s.
 * `nodeArgs` go to the worker's node (the login profile passes --cpu-prof).
 */
export async function sample(p: Prepared, n: number, nodeArgs: string[] = []) {
  const child = worker([p.side, 'measure', String(n), p.sim.url, p.sim.controlUrl, p.prefix, p.dir], nodeArgs);
  const messages: Msg[] = [];
  const waiters = new Set<() => void>();
  readline.createInterface({ input: child.stdout! }).on('line', (l) => {
    try {
      messages.push(JSON.parse(l));
    } catch {
      return;
    }
    for (const w of waiters) w();
  });
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  const next = (phase: string) =>
    new Promise<Msg>((resolve, reject) => {
      const check = () => {
        const m = messages.find((x) => x.phase === phase);
        if (m) {
          waiters.delete(check);
          resolve(m);
        }
      };
      void exited.then((code) => reject(new Error(`${p.side} worker exited ${code} before ${phase}`)));
      waiters.add(check);
      check();
    });
  const opened = await next('open');
  const idle = await next('idle');
  await next('traffic-start');
  // 250 messages at 50 per second, spread over the N phones: every turn sends all that are due, so
  // a busy event loop here delays messages but never drops them (deadline 30 s).
  const jids = Array.from({ length: n }, (_, i) => `${p.prefix}${String(i).padStart(5, '0')}`);
  const start = Date.now();
  let sent = 0;
  while (sent < 250 && Date.now() < start + 30_000) {
    const due = Math.min(250, Math.floor((Date.now() - start) / 20) + 1);
    for (; sent < due; sent++) void p.sim.inject(jids[sent % n], { type: 'message', text: `m${sent}` }).catch(() => {});
    await new Promise((r) => setTimeout(r, Math.max(0, start + sent * 20 - Date.now())));
  }
  const trafficMs = Date.now() - start;
  child.stdin!.write('traffic-done\n');
  const traffic = await next('traffic');
  await exited;
  return {
    allOpenMs: Math.round(opened.openMs as number),
    loginCpuMs: Math.round(opened.loginCpuMs as number),
    rssMb: Math.round(opened.rssMb as number),
    perSessionMb: Number((opened.perSessionMb as number).toFixed(3)),
    heapPerSessionMb: Number((opened.heapPerSessionMb as number).toFixed(3)),
    eldIdleP99Ms: Number(((idle.eld as { p99Ms: number }).p99Ms).toFixed(1)),
    idleCpuMsPerSessionPerMin: Number((idle.cpuMsPerSessionPerMin as number).toFixed(2)),
    eldTrafficP99Ms: Number(((traffic.eld as { p99Ms: number }).p99Ms).toFixed(1)),
    messagesSent: sent,
    trafficMs,
    memoryPerSession: opened.memoryPerSession as Record<string, number>,
  };
}

type Sample = Awaited<ReturnType<typeof sample>>;
type Metric = Exclude<keyof Sample, 'messagesSent' | 'trafficMs' | 'memoryPerSession'>;
const METRICS: Metric[] = ['allOpenMs', 'loginCpuMs', 'rssMb', 'perSessionMb', 'heapPerSessionMb', 'eldIdleP99Ms', 'idleCpuMsPerSessionPerMin', 'eldTrafficP99Ms'];

export function median(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median of every metric, and its spread: [min, max] and (max − min) / median. */
function summarize(samples: Sample[]) {
  const out: Record<string, unknown> = {};
  const spread: Record<string, unknown> = {};
  for (const k of METRICS) {
    const xs = samples.map((s) => s[k]);
    const med = median(xs);
    out[k] = Number(med.toFixed(3));
    spread[k] = { min: Math.min(...xs), max: Math.max(...xs), relative: med ? Number(((Math.max(...xs) - Math.min(...xs)) / med).toFixed(2)) : 0 };
  }
  return { ...(out as Record<Metric, number>), spread };
}

export async function densityBenchmark(opts: { sizes?: number[]; samples?: number; fullStackSizes?: number[] } = {}, onProgress?: (partial: object) => void) {
  const sizes = opts.sizes ?? (process.env.BENCH_SIZES ?? '100,500,2000').split(',').map(Number);
  const samples = opts.samples ?? Number(process.env.BENCH_SAMPLES ?? 5);
  const fullStackSamples = Number(process.env.BENCH_FULLSTACK_SAMPLES ?? 3);
  const fullStackSizes = opts.fullStackSizes ?? (process.env.BENCH_FULLSTACK_SIZES ?? String(Math.max(...sizes))).split(',').filter(Boolean).map(Number);
  const rows: Record<string, unknown>[] = [];
  const maxN = Math.max(...sizes);
  // Pairing is not measured: both sides pair at the same time.
  const [pm, pb] = await Promise.all([prepare('manager', maxN, '7711'), prepare('bare', maxN, '7712')]);
  const prepared = { manager: pm, bare: pb };
  const method = `each side pairs the largest N once (its own simulator; smaller N log in the first N of those phones), then per N ${samples} samples (fresh process each) alternating which side goes first; figures are medians, spread = min/max; ratios are median / median. RSS and heap are read after full GCs once RSS has settled (readings 250 ms apart agree within 1 MB), before the login and after it; CPU time of the login is the worker's user + system time until all are open. Idle window BENCH_IDLE_MS (default one keep-alive interval, ${KEEPALIVE_MS / 1000} s, the same on both sides).`;
  const comparedWith =
    "bare Baileys as its users run it: useMultiFileAuthState behind Baileys' makeCacheableSignalKeyStore, with the console's socket settings (lib/sessions/socket-options.ts). What still differs is the console's own: its database key store and its timer-free caches per session (Baileys' defaults: NodeCaches per socket)";
  const summary = () => ({ method, comparedWith, idleMs: idleWindowMs(), pairedN: maxN, pairMs: { manager: pm.pairMs, bare: pb.pairMs }, sizes, rows });
  console.log(JSON.stringify({ paired: maxN, pairMs: { manager: prepared.manager.pairMs, bare: prepared.bare.pairMs } }));
  try {
    for (const n of sizes) {
      const runs: { order: Side[]; manager: Sample; bare: Sample }[] = [];
      for (let s = 0; s < samples; s++) {
        const order: Side[] = s % 2 === 0 ? ['manager', 'bare'] : ['bare', 'manager'];
        const got: Partial<Record<Side, Sample>> = {};
        for (const side of order) got[side] = await sample(prepared[side], n);
        runs.push({ order, manager: got.manager!, bare: got.bare! });
        console.log(JSON.stringify({ n, sample: s + 1, ...runs.at(-1) }));
      }
      const manager = summarize(runs.map((r) => r.manager));
      const bare = summarize(runs.map((r) => r.bare));
      const r = (k: Metric) => Number((manager[k] / bare[k]).toFixed(2));
      const row: Record<string, unknown> = {
        n,
        samples,
        manager,
        bare,
        ratio: { time: r('allOpenMs'), loginCpu: r('loginCpuMs'), memory: r('perSessionMb'), heap: r('heapPerSessionMb'), idleCpu: r('idleCpuMsPerSessionPerMin') },
        runs,
      };
      if (fullStackSizes.includes(n)) {
        // Several runs, like the manager-only samples it stands beside: medians, ranges, every run.
        const stackRuns: Awaited<ReturnType<typeof fullStackRun>>[] = [];
        for (let k = 0; k < fullStackSamples; k++) stackRuns.push(await fullStackRun(prepared.manager.sim, prepared.manager.dir, n));
        const med = (k: 'allOpenMs' | 'rssMb' | 'idleCpuMsPerSessionPerMin' | 'eldIdleP99Ms' | 'rssPerSessionMb' | 'listAllMs' | 'healthyMs') => median(stackRuns.map((x) => x[k]));
        const range = (k: 'allOpenMs' | 'rssMb' | 'idleCpuMsPerSessionPerMin' | 'eldIdleP99Ms') => [Math.min(...stackRuns.map((x) => x[k])), Math.max(...stackRuns.map((x) => x[k]))];
        row.fullStack = {
          ...stackRuns[0],
          samples: fullStackSamples,
          allOpenMs: med('allOpenMs'),
          healthyMs: med('healthyMs'),
          rssMb: med('rssMb'),
          rssPerSessionMb: med('rssPerSessionMb'),
          idleCpuMsPerSessionPerMin: med('idleCpuMsPerSessionPerMin'),
          eldIdleP99Ms: med('eldIdleP99Ms'),
          listAllMs: med('listAllMs'),
          range: { allOpenMs: range('allOpenMs'), rssMb: range('rssMb'), idleCpuMsPerSessionPerMin: range('idleCpuMsPerSessionPerMin'), eldIdleP99Ms: range('eldIdleP99Ms') },
          runs: stackRuns,
        };
        console.log(JSON.stringify({ n, fullStack: row.fullStack }));
      }
      rows.push(row);
      onProgress?.(summary());
      console.log(JSON.stringify({ n, manager: { allOpenMs: manager.allOpenMs, perSessionMb: manager.perSessionMb }, bare: { allOpenMs: bare.allOpenMs, perSessionMb: bare.perSessionMb }, ratio: row.ratio }));
    }
  } finally {
    for (const p of Object.values(prepared)) {
      await p.sim.close();
      fs.rmSync(p.dir, { recursive: true, force: true });
    }
  }
  return summary();
}
