// Benchmark 1: session density, the console's manager against bare Baileys + useMultiFileAuthState.
// Each side pairs the largest N of phones once (not timed) against its own simulator; then for
// each N it logs the first N in with saved credentials `samples` times, alternating which side
// goes first (the manager's worker marks only those N as running before it boots); each
// sample is a fresh process (density-worker.ts). Every figure is reported as the median of the
// samples with its spread (min–max), and each ratio (verdict) is median against median.
// Every engine in BENCH_ENGINES is compared with bare Baileys of its own version (sides are
// engine × manager|bare); baileys-6's rows keep the section's top-level shape (README table, plot),
// the others go under `engines`.
// Optionally (fullStackSizes) the console as `npm start` runs it holds the manager side's phones.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { startSimulator, type Simulator } from '../simulator';
import { fullStackRun } from './full-stack';
import { KEEPALIVE_MS, idleWindowMs } from './idle';
import { isEngineName, type EngineName } from '../lib/sessions/engines/types';

type Msg = { phase: string; [k: string]: unknown };
type Side = 'manager' | 'bare';

function worker(args: string[], nodeArgs: string[] = []) {
  return spawn(process.execPath, ['--expose-gc', '--max-old-space-size=4096', ...nodeArgs, '--import', 'tsx', path.join(__dirname, 'density-worker.ts'), ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
}

export interface Prepared {
  side: Side;
  engine: EngineName;
  n: number;
  sim: Simulator;
  dir: string;
  prefix: string;
  pairMs: number;
}

/** Pairs `n` phones for one side (the largest N: smaller N log in the first N of them). */
export async function prepare(side: Side, n: number, prefix: string, step: 'pair' | 'pair-most' = 'pair', engine: EngineName = 'baileys-6'): Promise<Prepared> {
  const sim = await startSimulator({ port: 0 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${side}-`));
  const t0 = performance.now();
  const pairing = worker([side, step, String(n), sim.url, sim.controlUrl, prefix, dir, engine]);
  const code = await new Promise<number | null>((r) => pairing.once('exit', r));
  if (code !== 0) throw new Error(`${engine} ${side} pairing of ${n} phones failed`);
  return { side, engine, n, sim, dir, prefix, pairMs: Math.round(performance.now() - t0) };
}

/**
 * One sample: a fresh worker process logs all N phones in, then idle, then 5 s of 50 msg/s.
 * `nodeArgs` go to the worker's node (the login profile passes --cpu-prof).
 */
export async function sample(p: Prepared, n: number, nodeArgs: string[] = []) {
  const child = worker([p.side, 'measure', String(n), p.sim.url, p.sim.controlUrl, p.prefix, p.dir, p.engine], nodeArgs);
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
      void exited.then((code) => reject(new Error(`${p.engine} ${p.side} worker exited ${code} before ${phase}`)));
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

/** Sizes from a comma list (BENCH_SIZES, BENCH_SIZES_7). */
const sizesOf = (list: string) => list.split(',').filter(Boolean).map(Number);

export async function densityBenchmark(opts: { sizes?: number[]; sizes7?: number[]; engines?: EngineName[]; samples?: number; fullStackSizes?: number[] } = {}, onProgress?: (partial: object) => void) {
  const engines = opts.engines ?? (process.env.BENCH_ENGINES ?? 'baileys-6,baileys-7').split(',').filter(Boolean).map((e) => {
    if (!isEngineName(e)) throw new Error(`BENCH_ENGINES: not an engine: ${e}`);
    return e;
  });
  // Baileys 7 defaults to smaller sizes to bound the run: 100 + 500 phones add under a quarter of
  // baileys-6's 2,600 logins per sample round, where the same sizes would double the section.
  const sizesFor: Record<EngineName, number[]> = {
    'baileys-6': opts.sizes ?? sizesOf(process.env.BENCH_SIZES ?? '100,500,2000'),
    'baileys-7': opts.sizes7 ?? sizesOf(process.env.BENCH_SIZES_7 ?? '100,500'),
  };
  const sizes = sizesFor['baileys-6'];
  const samples = opts.samples ?? Number(process.env.BENCH_SAMPLES ?? 5);
  const fullStackSamples = Number(process.env.BENCH_FULLSTACK_SAMPLES ?? 3);
  // The full-stack run holds baileys-6's manager phones (the console's default engine).
  const fullStackSizes = engines.includes('baileys-6') ? (opts.fullStackSizes ?? sizesOf(process.env.BENCH_FULLSTACK_SIZES ?? String(Math.max(...sizes)))) : [];
  // Pairing is not measured: an engine's two sides pair at the same time, each on its own simulator
  // (prefixes differ per side so no two sides share a phone number). Engines pair one after the
  // other, so pairing loads the machine no more than two sides did (a pairing times out after 60 s;
  // one of 2,000 did in the health bench on a loaded machine).
  const prefixes: Record<EngineName, Record<Side, string>> = { 'baileys-6': { manager: '7711', bare: '7712' }, 'baileys-7': { manager: '7713', bare: '7714' } };
  const prepared: Partial<Record<EngineName, Record<Side, Prepared>>> = {};
  for (const engine of engines) {
    const maxN = Math.max(...sizesFor[engine]);
    const [manager, bare] = await Promise.all([prepare('manager', maxN, prefixes[engine].manager, 'pair', engine), prepare('bare', maxN, prefixes[engine].bare, 'pair', engine)]);
    prepared[engine] = { manager, bare };
  }
  const method = `each side pairs the largest N once (its own simulator; smaller N log in the first N of those phones), then per N ${samples} samples (fresh process each) alternating which side goes first; figures are medians, spread = min/max; ratios are median / median. RSS and heap are read after full GCs once RSS has settled (readings 250 ms apart agree within 1 MB), before the login and after it; CPU time of the login is the worker's user + system time until all are open. Idle window BENCH_IDLE_MS (default one keep-alive interval, ${KEEPALIVE_MS / 1000} s, the same on both sides). Engines ${engines.join(', ')}, each against bare Baileys of its own version, one engine after the other.`;
  const comparedWith =
    "bare Baileys of the engine's own version as its users run it: useMultiFileAuthState behind Baileys' makeCacheableSignalKeyStore, with the console's socket settings (lib/sessions/socket-options.ts); for baileys-7 the `baileys7` package's own functions, trusting the simulator's Noise root as the console does. What still differs is the console's own: its database key store and its timer-free caches per session (Baileys' defaults: NodeCaches per socket)";
  const rowsFor: Record<EngineName, Record<string, unknown>[]> = { 'baileys-6': [], 'baileys-7': [] };
  const pairMsOf = (e: EngineName) => ({ manager: prepared[e]!.manager.pairMs, bare: prepared[e]!.bare.pairMs });
  const others = engines.filter((e) => e !== 'baileys-6');
  // baileys-6 keeps the top-level shape older sections have (bench/table.ts, the plot); each other engine its own entry.
  const summary = () => ({
    method,
    comparedWith,
    idleMs: idleWindowMs(),
    ...(prepared['baileys-6'] ? { pairedN: Math.max(...sizes), pairMs: pairMsOf('baileys-6'), sizes, rows: rowsFor['baileys-6'] } : { sizes: [], rows: [] }),
    engines: Object.fromEntries(others.map((e) => [e, { pairedN: Math.max(...sizesFor[e]), pairMs: pairMsOf(e), sizes: sizesFor[e], rows: rowsFor[e] }])),
  });
  console.log(JSON.stringify({ paired: Object.fromEntries(engines.map((e) => [e, { n: Math.max(...sizesFor[e]), pairMs: pairMsOf(e) }])) }));
  try {
    for (const engine of engines) {
      const sides = prepared[engine]!;
      for (const n of sizesFor[engine]) {
        const runs: { order: Side[]; manager: Sample; bare: Sample }[] = [];
        for (let s = 0; s < samples; s++) {
          const order: Side[] = s % 2 === 0 ? ['manager', 'bare'] : ['bare', 'manager'];
          const got: Partial<Record<Side, Sample>> = {};
          for (const side of order) got[side] = await sample(sides[side], n);
          runs.push({ order, manager: got.manager!, bare: got.bare! });
          console.log(JSON.stringify({ engine, n, sample: s + 1, ...runs.at(-1) }));
        }
        const manager = summarize(runs.map((r) => r.manager));
        const bare = summarize(runs.map((r) => r.bare));
        const r = (k: Metric) => Number((manager[k] / bare[k]).toFixed(2));
        const row: Record<string, unknown> = {
          n,
          engine,
          samples,
          manager,
          bare,
          ratio: { time: r('allOpenMs'), loginCpu: r('loginCpuMs'), memory: r('perSessionMb'), heap: r('heapPerSessionMb'), idleCpu: r('idleCpuMsPerSessionPerMin') },
          runs,
        };
        if (engine === 'baileys-6' && fullStackSizes.includes(n)) {
          // Several runs, like the manager-only samples it stands beside: medians, ranges, every run.
          const stackRuns: Awaited<ReturnType<typeof fullStackRun>>[] = [];
          for (let k = 0; k < fullStackSamples; k++) stackRuns.push(await fullStackRun(sides.manager.sim, sides.manager.dir, n));
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
        rowsFor[engine].push(row);
        onProgress?.(summary());
        console.log(JSON.stringify({ engine, n, manager: { allOpenMs: manager.allOpenMs, perSessionMb: manager.perSessionMb }, bare: { allOpenMs: bare.allOpenMs, perSessionMb: bare.perSessionMb }, ratio: row.ratio }));
      }
    }
  } finally {
    for (const sides of Object.values(prepared)) {
      for (const p of Object.values(sides)) {
        await p.sim.close();
        fs.rmSync(p.dir, { recursive: true, force: true });
      }
    }
  }
  return summary();
}
