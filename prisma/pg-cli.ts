// Workaround for the Prisma 6.19 JS schema engine on PostgreSQL (prisma/prisma#27403): it cannot
// deserialize catalog columns of types `name`, `char`, `pg_node_tree`, `regclass` (and arrays).
// We report those as text. Only the CLI (migrate deploy/diff) uses this; runtime queries don't.
import pg from 'pg';

const AS_TEXT = new Set([18, 19, 194, 2205]);
const AS_TEXT_ARRAY = new Set([1002, 1003]);

function reportCatalogTypesAsText(res: { fields?: { dataTypeID: number }[] } | undefined) {
  for (const field of res?.fields ?? []) {
    if (AS_TEXT.has(field.dataTypeID)) field.dataTypeID = 25;
    else if (AS_TEXT_ARRAY.has(field.dataTypeID)) field.dataTypeID = 1009;
  }
  return res;
}

class CatalogTextClient extends pg.Client {
  // pg-pool calls query with a callback; direct callers use the promise form. Handle both.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      args[args.length - 1] = (err: unknown, res: any) => last(err, err ? res : reportCatalogTypesAsText(res));
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const result = (super.query as any)(...args);
    return result && typeof result.then === 'function' ? result.then(reportCatalogTypesAsText) : result;
  }
}

/** Pool settings as separate fields (so the shadow database override really applies). */
export function pgCliPoolConfig(url: string): pg.PoolConfig {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username || 'postgres'),
    password: u.password ? decodeURIComponent(u.password) : undefined,
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres',
    idleTimeoutMillis: 100,
    allowExitOnIdle: true,
    Client: CatalogTextClient as unknown as typeof pg.Client,
  };
}
