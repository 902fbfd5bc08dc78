// `npm run db:generate` / `npm run db:deploy`: Prisma clients for both providers, and the
// migrations of DATABASE_URL's provider.
import { generateClients, migrateDeploy } from '../lib/db/migrate';
import { getConfig } from '../lib/config';

async function main() {
  const command = process.argv[2];
  if (command === 'generate') return generateClients();
  if (command === 'deploy') return migrateDeploy(getConfig().DATABASE_URL);
  throw new Error('usage: tsx scripts/db.ts generate|deploy');
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
