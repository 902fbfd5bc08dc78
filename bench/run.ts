// `npm run bench`: every benchmark; `npm run bench -- density api` runs only those (names:
// auth-store, health, auth-storm, messages, api, browser, fleet, density, ui-10k). Results go to bench/results.json
// (BENCH_RESULTS_FILE: another file, for a trial run; README and plot untouched), one section per benchmark,
// each stamped with its own date, git commit, command, machine and load: a section that did not
// run keeps its old stamp, so the file never claims one run made what several did.
// Then README.md's table is remade from the file (bench/table.ts) and the memory plot is redrawn
// from the density section. api, browser and the density benchmark's full-stack run need a
// built console: built here when .next is missing or older than the sources.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execSync } from 'node:child_process';
import { densityBenchmark } from './density';
import { authStoreBenchmark } from './auth-store';
import { authStormBenchmark } from './auth-storm';
import { apiBenchmark } from './api';
import { browserBenchmark } from './browser';
import { fleetBenchmark } from './fleet';
import { memoryPlot } from './plot';
import { ui10kBenchmark } from './ui-10k';
import { healthBenchmark } from './health';
import { messagesBenchmark } from './messages';
import { writeReadmeTable } from './table';
import { classifyRejection } from '../lib/sessions/process-guard';

const ROOT = path.join(__dirname, '..');
// In this order: the longest last, so an interrupted run still has the others.
const SECTIONS: Record<string, { key: string; run: (progress: (partial: object) => void) => Promise<object>; needsBuild: boolean | (() => boolean) }> = {
  'auth-store': { key: 'authStore', run: () => authStoreBenchmark(), needsBuild: false },
  // The liveness probe's CPU at 2,000 phones' probe rate and the history's bytes per phone per day (issue 26).
  health: { key: 'health', run: () => healthBenchmark(), needsBuild: false },
  // The API's p50 during a sign-in storm against quiet, side by side (issue 21.3).
  'auth-storm': { key: 'authStorm', run: () => authStormBenchmark(), needsBuild: true },
  // Messages per second through 1, 4 and 100 phones against bare Baileys sendMessage, and inbound webhooks (issue 24).
  messages: { key: 'messages', run: () => messagesBenchmark(), needsBuild: true },
  api: { key: 'api', run: () => apiBenchmark(), needsBuild: true },
  browser: {
    key: 'browser',
    run: () => {
      // Debian's Chromium, as `npm test` installs it (Playwright cannot download browsers here).
      if (!fs.existsSync('/usr/bin/chromium')) execSync('apt-get update -qq && apt-get install -y -qq chromium', { stdio: 'inherit' });
      return browserBenchmark();
    },
    needsBuild: true,
  },
  // Three console processes (built console) on a fresh PostgreSQL test database, and both buses.
  fleet: { key: 'fleet', run: () => fleetBenchmark(), needsBuild: true },
  // Only its full-stack run needs the build: BENCH_FULLSTACK_SIZES= (empty) turns that off.
  density: { key: 'density', run: (progress) => densityBenchmark({}, progress), needsBuild: () => process.env.BENCH_FULLSTACK_SIZES !== '' },
  // The console at fleet size: 10,000 phones, 200 live (docs/console-fleet.md).
  'ui-10k': { key: 'ui10k', run: () => ui10kBenchmark(), needsBuild: true },
};
type Name = string;

const git = (args: string) => execSync(`git ${args}`, { cwd: ROOT, encoding: 'utf8' }).trimEnd();

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'generated' || entry.name.startsWith('.')) continue;
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

function ensureBuilt() {
  const id = path.join(ROOT, '.next', 'BUILD_ID');
  const sources = Math.max(...['app', 'lib', 'components'].map((d) => newestSource(path.join(ROOT, d))));
  if (fs.existsSync(id) && fs.statSync(id).mtimeMs > sources) return;
  execSync('npx next build', { stdio: 'inherit', cwd: ROOT });
}

function provenance(command: string) {
  const changed = git('status --porcelain --untracked-files=no').split('\n').filter((l) => l && !/bench\/results\.json|bench\/memory-per-session\.svg|README\.md/.test(l));
  return {
    date: new Date().toISOString(),
    commit: git('rev-parse HEAD'),
    // Files that differed from that commit when the section ran (results and README excluded).
    uncommitted: changed.map((l) => l.slice(3)),
    command,
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    loadAvg1mBefore: Number(os.loadavg()[0].toFixed(2)),
  };
}

async function main() {
  const asked = process.argv.slice(2) as Name[];
  for (const a of asked) if (!(a in SECTIONS)) throw new Error(`unknown benchmark ${a}; known: ${Object.keys(SECTIONS).join(', ')}`);
  const names = asked.length ? asked : (Object.keys(SECTIONS) as Name[]);
  const env = Object.entries(process.env)
    .filter(([k]) => k.startsWith('BENCH_'))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v} `)
    .join('');
  const command = `${env}npm run bench${asked.length ? ` -- ${asked.join(' ')}` : ''}`;
  // BENCH_RESULTS_FILE: a trial run (small sizes, a branch) writes elsewhere and leaves
  // bench/results.json, the README table and the plot alone.
  const trial = process.env.BENCH_RESULTS_FILE;
  const file = trial ? path.resolve(trial) : path.join(__dirname, 'results.json');
  const results: Record<string, unknown> = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  // Stamps of the old single-stamp format describe no section: drop them.
  for (const k of ['date', 'machine', 'command']) delete results[k];
  const needsBuild = (n: Name) => {
    const b = SECTIONS[n].needsBuild;
    return typeof b === 'function' ? b() : b;
  };
  if (names.some(needsBuild)) ensureBuilt();
  const runStarted = new Date().toISOString();
  for (const name of names) {
    const { key, run } = SECTIONS[name];
    const stamp = provenance(command);
    const t0 = performance.now();
    console.log(`== ${name} (${stamp.date})`);
    const save = (result: object, complete: boolean) => {
      results[key] = { ...stamp, run: runStarted, complete, durationSec: Math.round((performance.now() - t0) / 1000), loadAvg1mAfter: Number(os.loadavg()[0].toFixed(2)), result };
      fs.writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
    };
    // Written after every section (and density after every N, marked incomplete), so an
    // interrupted run keeps what it finished.
    save(await run((partial) => save(partial, false)), true);
  }
  if (trial) {
    console.log(`results written to ${file} (README.md and bench/results.json untouched)`);
    process.exit(0);
  }
  const density = results.density as { result?: { rows?: unknown[] } } | undefined;
  // A run of other engines only has no baileys-6 rows to plot.
  if (density?.result?.rows?.length) fs.writeFileSync(path.join(__dirname, 'memory-per-session.svg'), memoryPlot(density.result.rows as never));
  writeReadmeTable(results);
  console.log(`results written to ${file}, README.md's table remade from it`);
  process.exit(0);
}

if (require.main === module) {
  // Sections that pair phones in this process (the fleet and messages benches) run real Baileys
  // sockets here, which leave queries unawaited that reject once their socket closes. Contain
  // exactly what the console's own process guard contains; anything else still ends the run.
  process.on('unhandledRejection', (reason) => {
    if (classifyRejection(reason)) return;
    console.error('unhandled rejection', reason);
    process.exit(1);
  });
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
