// What the Nodes page shows of each live node (GET /api/nodes): its lease, whether it still
// renews it, the phones it runs and its capacity. Times come from the database's clock, read with
// the rows, so the nodes' own clocks never matter. Pure (unit tested); the SQL is sql.ts
// `nodesOverview`.
import { ownerSilent } from './policy';

/** One row of `FleetSql.nodesOverview` (drivers return bigints or strings for the numbers). */
export interface NodeRow {
  id: string;
  capacity: number | bigint | string;
  leaseExpiresMs: number | bigint | string;
  nowMs: number | bigint | string;
  phones: number | bigint | string;
}

export interface FleetNodeView {
  id: string;
  /** the node that answered (the one the browser talks to) */
  self: boolean;
  /** `live`: renews its lease; `silent`: missed renewals, its phones move to live nodes when the lease ends */
  state: 'live' | 'silent';
  /** phones it runs (owner rows of phones that should run) */
  phones: number;
  /** the most phones it runs (NODE_CAPACITY) */
  capacity: number;
  /** how long ago it last renewed its lease (ms; assumes every node's LEASE_TTL_MS is this one's, as the fleet requires) */
  leaseAgeMs: number;
  /** how long until its lease ends (ms) */
  leaseEndsInMs: number;
}

export function nodeViews(rows: NodeRow[], opts: { self: string; ttlMs: number; renewMs: number }): FleetNodeView[] {
  return rows.map((r) => {
    const leaseExpiresMs = Number(r.leaseExpiresMs);
    const nowMs = Number(r.nowMs);
    return {
      id: r.id,
      self: r.id === opts.self,
      state: ownerSilent({ leaseExpiresMs, nowMs, ttlMs: opts.ttlMs, renewMs: opts.renewMs }) ? 'silent' : 'live',
      phones: Number(r.phones),
      capacity: Number(r.capacity),
      leaseAgeMs: Math.max(0, nowMs - (leaseExpiresMs - opts.ttlMs)),
      leaseEndsInMs: Math.max(0, leaseExpiresMs - nowMs),
    };
  });
}
