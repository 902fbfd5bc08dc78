// `npm start`: prepare config and database, build if needed, then run the console's server
// (scripts/server.ts) on HOST:PORT (127.0.0.1:3000 unless set).
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
  // scripts/server.ts: Next behind the HTTP edge (body limit, client address). The console's own
  // SIGTERM/SIGINT handler (lib/boot/boot.ts) closes every session before exiting.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'server.ts')], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, NEXT_MANUAL_SIG_HANDLE: 'true' } });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 0));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
