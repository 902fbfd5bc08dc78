// Recognises "the database cannot be reached" among the errors of Prisma, its pg and libsql
// adapters and the drivers under them, so that an outage answers 503 instead of 500. One
// function, used by the one error mapper (lib/api/errors.ts via lib/errors.ts) and the health check.

/** Prisma error codes for an unreachable or vanished database server. */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
/** Node/driver codes for a refused, reset or timed-out connection; PostgreSQL's shutdown and connection classes. */
const NET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000', // connection_exception
  '08001', // sqlclient_unable_to_establish_sqlconnection
  '08003', // connection_does_not_exist
  '08006', // connection_failure
  'SQLITE_CANTOPEN',
  'SQLITE_BUSY',
]);
const MESSAGES = [
  /can't reach database server/i,
  /connection terminated/i,
  /connection refused/i,
  /server closed the connection unexpectedly/i,
  /the database system is (shutting down|starting up|in recovery mode)/i,
  /terminating connection due to administrator command/i,
  /timed out fetching a new connection from the connection pool/i,
  /client has encountered a connection error/i,
  /unable to open database file/i,
  /database is locked/i,
];

export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 5) return false;
  const e = err as { code?: unknown; errorCode?: unknown; message?: unknown; cause?: unknown; errors?: unknown; name?: unknown };
  for (const code of [e.code, e.errorCode]) {
    if (typeof code === 'string' && (PRISMA_CODES.has(code) || NET_CODES.has(code))) return true;
  }
  if (e.name === 'PrismaClientInitializationError') return true;
  // fetch() failures (webhooks, the simulator) are not the database's.
  if (e.name === 'TypeError' && e.message === 'fetch failed') return false;
  const kind = (e as { kind?: unknown }).kind;
  if (kind === 'DatabaseNotReachable' || kind === 'ConnectionClosed' || kind === 'SocketTimeout' || kind === 'TooManyConnections') return true;
  const adapterError = (e as { meta?: { driverAdapterError?: unknown } }).meta?.driverAdapterError;
  if (adapterError && isDatabaseUnavailable(adapterError, depth + 1)) return true;
  if (typeof e.message === 'string' && MESSAGES.some((re) => re.test(e.message as string))) return true;
  if (Array.isArray(e.errors) && e.errors.some((x) => isDatabaseUnavailable(x, depth + 1))) return true;
  return isDatabaseUnavailable(e.cause, depth + 1);
}
