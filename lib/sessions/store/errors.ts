// Which database errors mean "the database is not there right now" (worth keeping the write and
// trying again later) rather than "this write is wrong" (retrying would fail the same way).
const UNREACHABLE_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
const UNREACHABLE_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections', 'TransactionAlreadyClosed']);
const UNREACHABLE_TEXT =
  /Can't reach database|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|ENOTFOUND|Connection terminated|terminating connection|server closed the connection|connection is closed|the database system is (starting up|shutting down|in recovery mode)|Timed out fetching a new connection|SQLITE_BUSY|database is locked/i;

interface MaybeDbError {
  code?: unknown;
  message?: unknown;
  meta?: { driverAdapterError?: { cause?: { kind?: string; code?: string } } };
  cause?: unknown;
}

export function isUnreachable(err: unknown): boolean {
  for (let e = err as MaybeDbError | undefined, depth = 0; e && depth < 4; e = e.cause as MaybeDbError | undefined, depth++) {
    if (typeof e.code === 'string' && UNREACHABLE_CODES.has(e.code)) return true;
    const cause = e.meta?.driverAdapterError?.cause;
    if (cause?.kind && UNREACHABLE_KINDS.has(cause.kind)) return true;
    // PostgreSQL: class 08 (connection exception), 57P01-57P03 (shutdown, crash, cannot connect now).
    if (cause?.code && /^(08|57P0[1-3])/.test(cause.code)) return true;
    if (typeof e.message === 'string' && UNREACHABLE_TEXT.test(e.message)) return true;
  }
  return false;
}
