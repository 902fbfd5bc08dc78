// `npm run bench`: all four benchmarks, results in bench/results.json and the memory plot in
// bench/memory-per-session.svg. Needs a built console (`npx next build`) for 3 and 4.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execSync } from 'node:child_process';
import { densityBenchmark } from './density';
import { authStoreBenchmark } from './auth-store';
import { apiBenchmark } from './api';
import { browserBenchmark } from './browser';
import { memoryPlot } from './plot';
import { ui10kBenchmark } from './ui-10k';

async function main() {
  const only = process.argv[2];
  const file = path.join(__dirname, 'results.json');
  const previous = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  if (!fs.existsSync(path.join(__dirname, '..', '.next', 'BUILD_ID'))) execSync('npx next build', { stdio: 'inherit', cwd: path.join(__dirname, '..') });
  const results: Record<string, unknown> = {
    ...previous,
    date: new Date().toISOString(),
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    command: 'npm run bench',
  };
  const sizes = (process.env.BENCH_SIZES ?? '100,500').split(',').map(Number);
  if (!only || only === 'density') results.density = await densityBenchmark(sizes);
  if (!only || only === 'auth-store') results.authStore = await authStoreBenchmark();
  if (!only || only === 'api') results.api = await apiBenchmark();
  if (!only || only === 'browser') {
    // Debian's Chromium, as `npm test` installs it (Playwright cannot download browsers here).
    if (!fs.existsSync('/usr/bin/chromium')) execSync('apt-get update -qq && apt-get install -y -qq chromium', { stdio: 'inherit' });
    results.browser = await browserBenchmark();
  }
  if (!only || only === 'ui-10k') results.ui10k = await ui10kBenchmark();
  fs.writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  if (results.density) fs.writeFileSync(path.join(__dirname, 'memory-per-session.svg'), memoryPlot(results.density as never));
  console.log(`results written to ${file}`);
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
