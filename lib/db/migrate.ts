// Applies the provider's migrations with `prisma migrate deploy` (never `db push`).
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
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

/** What `migrationDrift` found. */
export interface MigrationDrift {
  /** Prisma's summary of what differs between the migrated database and the models; '' when nothing */
  drift: string;
  /** the CHECK constraints the migrations add beyond the models (Prisma cannot express them), as `table.name` (PostgreSQL) */
  checks: string[];
}

/**
 * Whether the migrations and the models agree: `prisma migrate diff --exit-code` between the
 * schema of `databaseUrl` (a THROWAWAY database the migrations were just applied to, read back with
 * `prisma db pull`) and the models in `schemaDir` (default: the provider's `prisma/<provider>`).
 * `--from-migrations` would need a shadow database, which Prisma's JS schema engine cannot drive,
 * and `--from-url` is refused with a driver adapter; pulling the database first gives the same
 * answer. On PostgreSQL the CHECK constraints (hand-written in the migrations; the models cannot
 * express them, and the JS engine's introspection crashes on them) are listed, then dropped from
 * the throwaway database before it is pulled.
 */
export async function migrationDrift(databaseUrl: string, schemaDir?: string): Promise<MigrationDrift> {
  const postgres = providerOf(databaseUrl) === 'postgresql';
  const checks = postgres ? await dropCheckConstraints(databaseUrl) : [];
  const config = prismaConfigFor(databaseUrl);
  const pulled = await prismaCli(['db', 'pull', '--print', '--config', config], databaseUrl);
  if (pulled.code !== 0) throw new Error(`prisma db pull failed:\n${pulled.output}`);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'migration-drift-'));
  try {
    // --print writes every file of the schema, each after a `// <path>` line.
    const parts = pulled.output.split(/^\/\/ (prisma\/\S+\.prisma)$/m);
    if (parts.length < 3) throw new Error(`prisma db pull printed no schema files:\n${pulled.output}`);
    for (let i = 1; i < parts.length; i += 2) await fs.writeFile(path.join(dir, path.basename(parts[i])), parts[i + 1]);
    const target = schemaDir ?? path.join(ROOT, 'prisma', postgres ? 'postgres' : 'sqlite');
    const diff = await prismaCli(['migrate', 'diff', '--config', config, '--from-schema-datamodel', dir, '--to-schema-datamodel', target, '--exit-code'], databaseUrl);
    if (diff.code === 0) return { drift: '', checks };
    if (diff.code === 2) return { drift: diff.output.replace(/^Loaded Prisma config.*\n/m, '').trim(), checks };
    throw new Error(`prisma migrate diff failed:\n${diff.output}`);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function dropCheckConstraints(databaseUrl: string): Promise<string[]> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ tbl: string; name: string }>(
      "SELECT c.relname AS tbl, k.conname AS name FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid WHERE k.contype = 'c' AND k.connamespace = 'public'::regnamespace ORDER BY 1, 2",
    );
    for (const r of rows) await client.query(`ALTER TABLE "${r.tbl.replace(/"/g, '""')}" DROP CONSTRAINT "${r.name.replace(/"/g, '""')}"`);
    return rows.map((r) => `${r.tbl}.${r.name}`);
  } finally {
    await client.end();
  }
}
