// The "fleet node lost" rule's eyes: every `intervalMs` the fleet's node rows (database clock) are
// read; a node whose lease ran out without a drain is lost, a live one is (again) fine. Only on
// PostgreSQL, where a fleet can have several nodes (SQLite runs a fleet of one).
import type { Db, DbProvider } from '../db/client';
import { FleetSql } from '../fleet/sql';
import type { Logger } from '../logger';

/** Nodes whose lease ran out longer ago than this are old news (not alerted on at a start). */
export const LOST_NODE_HORIZON_MS = 24 * 3600_000;

export function watchFleetNodes(opts: { db: Db; provider: DbProvider; intervalMs: number; log: Logger; onNodes: (lost: string[], live: string[]) => void }): () => void {
  const sql = new FleetSql(opts.provider);
  let running = false;
  const check = async () => {
    if (running) return;
    running = true;
    try {
      const s = sql.nodeLiveness(LOST_NODE_HORIZON_MS);
      const rows = await opts.db.$queryRawUnsafe<{ id: string; live: number | bigint }[]>(s.sql, ...s.params);
      opts.onNodes(
        rows.filter((r) => Number(r.live) !== 1).map((r) => r.id),
        rows.filter((r) => Number(r.live) === 1).map((r) => r.id),
      );
    } catch (err) {
      opts.log.warn({ err }, 'fleet nodes not checked for alerts');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void check(), opts.intervalMs);
  timer.unref();
  void check();
  return () => clearInterval(timer);
}
