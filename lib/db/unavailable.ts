// Recognises "the database cannot be reached" among the errors of Prisma, its pg and libsql
// adapters and the drivers under them. The one classifier: the error mapper (lib/errors.ts)
// answers 503 instead of 500 with it, the health check reports an outage with it, and the session
// store keeps a write and retries it later (sessions/store/outbox.ts) instead of dropping it as wrong.

/** Prisma error codes for an unreachable or vanished database server. */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
/** Node/driver codes for a refused, reset, unroutable or timed-out connection; SQLite's cannot-open and busy. */
const NET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'SQLITE_CANTOPEN',
  'SQLITE_BUSY',
]);
/** PostgreSQL SQLSTATE: class 08 (connection exception), 57P01–57P03 (admin shutdown, crash shutdown, cannot connect now). */
const PG_UNAVAILABLE = /^(08[0-9A-Z]{3}|57P0[1-3])$/;
/** Prisma driver-adapter error kinds that mean the connection, not the statement, failed. */
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections', 'TransactionAlreadyClosed']);
const MESSAGES = [
  /can't reach database server/i,
  /connection terminated/i,
  /connection refused/i,
  /connection is closed/i,
  /server closed the connection unexpectedly/i,
  /the database system is (shutting down|starting up|in recovery mode)/i,
  /terminating connection due to administrator command/i,
  /timed out fetching a new connection from the connection pool/i,
  /client has encountered a connection error/i,
  /unable to open database file/i,
  /database is locked/i,
  /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|SQLITE_BUSY|SQLITE_CANTOPEN)\b/,
];

function isUnavailableCode(code: unknown): boolean {
  return typeof code === 'string' && (PRISMA_CODES.has(code) || NET_CODES.has(code) || PG_UNAVAILABLE.test(code));
}

export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 5) return false;
  const e = err as { code?: unknown; errorCode?: unknown; message?: unknown; cause?: unknown; errors?: unknown; name?: unknown; kind?: unknown };
  if (isUnavailableCode(e.code) || isUnavailableCode(e.errorCode)) return true;
  if (e.name === 'PrismaClientInitializationError') return true;
  // fetch() failures (webhooks, the simulator) are not the database's.
  if (e.name === 'TypeError' && e.message === 'fetch failed') return false;
  if (typeof e.kind === 'string' && ADAPTER_KINDS.has(e.kind)) return true;
  const adapterError = (e as { meta?: { driverAdapterError?: unknown } }).meta?.driverAdapterError;
  if (adapterError && isDatabaseUnavailable(adapterError, depth + 1)) return true;
  if (typeof e.message === 'string' && MESSAGES.some((re) => re.test(e.message as string))) return true;
  if (Array.isArray(e.errors) && e.errors.some((x) => isDatabaseUnavailable(x, depth + 1))) return true;
  return isDatabaseUnavailable(e.cause, depth + 1);
}
