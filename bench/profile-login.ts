// Where the login time goes: one density sample per side at N phones (default 2,000), each worker
// CPU-profiled over the login window only (from the first start to the last `open`), then V8's
// samples summed by where the code lives. Both sides run the same worker as the density benchmark
// (bench/density-worker.ts) against their own in-process simulator, one after the other.
//
//   npx tsx bench/profile-login.ts [N] [outDir]
//
// Writes <outDir>/{manager,bare}.cpuprofile (open them in Chrome DevTools' Performance panel) and
// <outDir>/summary.json; prints the summary. Not part of `npm run bench`: it explains a ratio, it
// does not measure one (the profiler itself slows both sides).
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { prepare, sample } from './density';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Where a frame's code lives: a package, the console's own code, Node itself, or V8's states. */
export function bucketOf(url: string, functionName: string): string {
  if (!url) {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)') return 'idle (waiting for I/O)';
    if (functionName === '(program)') return 'V8/native (program)';
    return `native: ${functionName || '(anonymous)'}`;
  }
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return 'node internals';
  const own = /\/(lib|bench|test|simulator)\//.exec(url);
  return own ? `console ${own[1]}/` : url;
}

/**
 * Self time (ms) per bucket and per function, from the profile's samples and time deltas; and
 * per "asker": time in Node's internals and native code (a crypto call, a socket write) is
 * charged to the nearest caller in a package or in the console's code, which says who asked.
 */
export function summarize(profile: CpuProfile, top = 25) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const askerOf = (id: number): string => {
    const own = bucketOf(byId.get(id)!.callFrame.url, byId.get(id)!.callFrame.functionName);
    if (['GC', 'idle (waiting for I/O)', 'V8/native (program)'].includes(own)) return own;
    for (let q: number | undefined = id; q !== undefined; q = parent.get(q)) {
      const { url, functionName } = byId.get(q)!.callFrame;
      const b = bucketOf(url, functionName);
      if (url && b !== 'node internals') return b;
    }
    return own;
  };
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const buckets = new Map<string, number>();
  const askers = new Map<string, number>();
  const functions = new Map<string, number>();
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    totalUs += us;
    const bucket = bucketOf(url, functionName);
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + us);
    const asker = askerOf(id);
    askers.set(asker, (askers.get(asker) ?? 0) + us);
    const where = url ? `${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(lib|bench|test|simulator)\//, '$1/')}:${lineNumber + 1}` : '';
    const fn = `${functionName || '(anonymous)'} ${where}`.trim();
    functions.set(fn, (functions.get(fn) ?? 0) + us);
  }
  const ms = (us: number) => Math.round(us / 1000);
  const sorted = (m: Map<string, number>) =>
    [...m.entries()].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, ms: ms(us), share: Number((us / totalUs).toFixed(3)) }));
  return { wallMs: ms(profile.endTime - profile.startTime), sampledMs: ms(totalUs), askers: sorted(askers), buckets: sorted(buckets), functions: sorted(functions).slice(0, top) };
}

async function main() {
  const n = Number(process.argv[2] ?? 2000);
  const outDir = path.resolve(process.argv[3] ?? fs.mkdtempSync(path.join(os.tmpdir(), 'profile-login-')));
  fs.mkdirSync(outDir, { recursive: true });
  const [manager, bare] = await Promise.all([prepare('manager', n, '7721'), prepare('bare', n, '7722')]);
  const git = (args: string) => execSync(`git ${args}`, { cwd: path.join(__dirname, '..'), encoding: 'utf8' }).trimEnd();
  const result: Record<string, unknown> = {
    n,
    date: new Date().toISOString(),
    commit: git('rev-parse HEAD'),
    uncommitted: git('status --porcelain --untracked-files=no').split('\n').filter(Boolean).map((l) => l.slice(3)),
    loadavgBefore: os.loadavg(),
  };
  try {
    for (const p of [manager, bare]) {
      const file = path.join(outDir, `${p.side}.cpuprofile`);
      process.env.BENCH_CPU_PROFILE = file; // the worker inherits it
      const s = await sample(p, n);
      delete process.env.BENCH_CPU_PROFILE;
      result[p.side] = { allOpenMs: s.allOpenMs, loginCpuMs: s.loginCpuMs, perSessionMb: s.perSessionMb, memoryPerSession: s.memoryPerSession, profile: summarize(JSON.parse(fs.readFileSync(file, 'utf8'))) };
    }
  } finally {
    for (const p of [manager, bare]) {
      await p.sim.close();
      fs.rmSync(p.dir, { recursive: true, force: true });
    }
  }
  result.loadavgAfter = os.loadavg();
  fs.writeFileSync(path.join(outDir, 'summary.json'), JSON.stringify(result, null, 2));
  console.log(JSON.stringify(result, null, 2));
  console.log(`profiles and summary in ${outDir}`);
  process.exit(0);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
