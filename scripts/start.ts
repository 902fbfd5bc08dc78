// `npm start`: prepare config and database, build if needed, then run `next start`.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { isBuilt, prepareDatabase, prepareEnv, ROOT } from './prepare';

async function main() {
  const config = prepareEnv();
  await prepareDatabase(config);
  const nextBin = path.join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next');
  if (!isBuilt()) {
    console.log('Building the console (first start)…');
    const build = spawnSync(process.execPath, [nextBin, 'build'], { cwd: ROOT, stdio: 'inherit', env: process.env });
    if (build.status !== 0) process.exit(build.status ?? 1);
  }
  // The console's own SIGTERM/SIGINT handler (lib/boot.ts) closes every session before exiting;
  // Next's handler would exit as soon as the HTTP server is closed.
  const child = spawn(process.execPath, [nextBin, 'start', '-p', String(config.PORT)], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, NEXT_MANUAL_SIG_HANDLE: 'true' } });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 0));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
