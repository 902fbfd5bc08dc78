// What every way of starting the console does first: validate config (naming a bad variable),
// create and keep a NEXTAUTH_SECRET, default NEXTAUTH_URL, migrate the database, and create the
// first admin. Used by `npm start` (scripts/start.ts) and `npm run demo` (scripts/demo.ts).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, parseConfig, resetConfig, type Config } from '../lib/config';
import { migrateDeploy } from '../lib/db/migrate';
import { createDb } from '../lib/db/client';
import { ensureFirstAdmin } from '../lib/auth/users';

export const ROOT = path.resolve(__dirname, '..');

function persistedSecret(): string {
  const file = path.join(ROOT, 'data', 'nextauth-secret');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const secret = crypto.randomBytes(32).toString('base64url');
  fs.writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/** Fills derived defaults into process.env and validates it; exits with a clear message on error. */
export function prepareEnv(): Config {
  // The project's own data folder (secret, default SQLite file): the owner's only, also when an
  // older version created it with the umask's mode.
  const dataDir = path.join(ROOT, 'data');
  if (fs.existsSync(dataDir)) fs.chmodSync(dataDir, 0o700);
  const dotenv = path.join(ROOT, '.env');
  if (fs.existsSync(dotenv)) process.loadEnvFile(dotenv);
  const env = process.env;
  env.PORT ||= '3000';
  env.NEXTAUTH_URL ||= `http://localhost:${env.PORT}`;
  env.NEXTAUTH_SECRET ||= persistedSecret();
  env.DATABASE_URL ||= 'file:./data/console.db';
  resetConfig();
  try {
    return parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

/** Migrates and bootstraps the database; prints a generated admin password once. */
export async function prepareDatabase(config: Config): Promise<{ adminPassword: string | null }> {
  await migrateDeploy(config.DATABASE_URL);
  const db = createDb(config.DATABASE_URL);
  try {
    const { created, generatedPassword } = await ensureFirstAdmin(db, { email: config.ADMIN_EMAIL, password: config.ADMIN_PASSWORD });
    if (created && generatedPassword) {
      console.log(`\nFirst admin created: ${config.ADMIN_EMAIL}\nGenerated password (shown once): ${generatedPassword}\n`);
    } else if (created) {
      console.log(`First admin created: ${config.ADMIN_EMAIL} (password from ADMIN_PASSWORD)`);
    }
    return { adminPassword: generatedPassword };
  } finally {
    await db.$disconnect();
  }
}

export function isBuilt(): boolean {
  return fs.existsSync(path.join(ROOT, '.next', 'BUILD_ID'));
}
