// Applies the provider's migrations with `prisma migrate deploy` (never `db push`).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { providerOf } from './provider';
import { secureSqliteFile } from './sqlite-files';

const ROOT = path.resolve(__dirname, '..', '..');

// The CLI on PostgreSQL prints its result and then idles ~10 s on an open pool before exiting;
// once the final line is out, the work is committed and the process can be stopped.
const DONE = /All migrations have been successfully applied|No pending migrations to apply/;

function prismaCli(args: string[], databaseUrl: string): Promise<{ code: number; output: string }> {
  const bin = path.join(ROOT, 'node_modules', 'prisma', 'build', 'index.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let done = false;
    child.stdout.on('data', (d) => {
      output += d;
      if (!done && DONE.test(output)) {
        done = true;
        setTimeout(() => child.kill('SIGTERM'), 50).unref();
      }
    });
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: done ? 0 : (code ?? 1), output }));
  });
}

export function prismaConfigFor(databaseUrl: string): string {
  return path.join('prisma', providerOf(databaseUrl) === 'sqlite' ? 'sqlite.config.ts' : 'postgres.config.ts');
}

/** Runs `prisma migrate deploy` for DATABASE_URL's provider; creates the SQLite file (0600) first. */
export async function migrateDeploy(databaseUrl: string): Promise<void> {
  // The file and its folder are the owner's only (0600/0700) before any migration writes to it.
  if (providerOf(databaseUrl) === 'sqlite') secureSqliteFile(databaseUrl, ROOT);
  const { code, output } = await prismaCli(['migrate', 'deploy', '--config', prismaConfigFor(databaseUrl)], databaseUrl);
  if (code !== 0) throw new Error(`prisma migrate deploy failed:\n${output}`);
}

/** Runs `prisma generate` for both providers (the generated clients are not committed). */
export async function generateClients(): Promise<void> {
  for (const url of ['file:./data/console.db', 'postgresql://postgres@127.0.0.1:5432/postgres']) {
    const { code, output } = await prismaCli(['generate', '--config', prismaConfigFor(url)], url);
    if (code !== 0) throw new Error(`prisma generate failed:\n${output}`);
  }
}
