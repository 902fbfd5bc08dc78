// What `npm run token` and `npm run user` share: the database named by DATABASE_URL (default the
// SQLite file), migrated first; the arguments; usage errors (exit 2); one error line, never a
// stack trace (exit 1); the connection closed before the process exits with the command's code.
import { parseConfig } from '../lib/config';
import { migrateDeploy } from '../lib/db/migrate';
import { createDb, type Db } from '../lib/db/client';

/** Thrown by a command for bad arguments: prints the usage and exits with 2. */
export class UsageError extends Error {}

/** Runs `command(db, args)` on the migrated database and exits with the code it returns. */
export function runDbCommand(usage: string, command: (db: Db, args: string[]) => Promise<number>): void {
  const main = async (): Promise<number> => {
    const config = parseConfig({ ...process.env, DATABASE_URL: process.env.DATABASE_URL || 'file:./data/console.db' });
    await migrateDeploy(config.DATABASE_URL);
    const db = createDb(config.DATABASE_URL);
    try {
      return await command(db, process.argv.slice(2));
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      console.error(err.message ? `${err.message}\n${usage}` : usage);
      return 2;
    } finally {
      await db.$disconnect();
    }
  };
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
