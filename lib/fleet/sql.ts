// The SQL of fleet ownership, as plain { sql, params } values for one dialect. Every time that
// decides who owns what is read from the DATABASE's clock (`nowMs`), so the nodes' own clocks
// never matter; leases are kept as milliseconds since the epoch.
import type { DbProvider } from '../db/provider';
import { RUNNING_STATES } from '../sessions/types';
import { DIALECTS, Params, type Statement } from '../db/sql';

/**
 * The owner of a phone given up by a drain: no node has this id (ids are `[a-z0-9_]+`), so the
 * phone is free to claim, and its row, with its epoch, stays: the fencing token only ever grows.
 */
export const RELEASED = '';

/**
 * The instance token of a node that holds its liveness lock (a session-level advisory lock, for
 * its whole life, on a connection of its own: node-lock.ts). Other instance tokens are hex (a
 * node without one: SQLite, a bare test node, an older version during a rolling deploy); such a
 * node is judged by its lease alone. Hex never contains `l`.
 */
export const LOCKED_INSTANCE_PREFIX = 'l';

/** The text the advisory lock's key is hashed from (`hashtextextended(…, 0)`, 64 bits): one per node instance. */
export const nodeLockText = (nodeId: string, instance: string) => `fleet-node:${nodeId}:${instance}`;

/** The statuses of a phone that should be running (boot and failover start these). */
export const RUNNING_STATUSES = RUNNING_STATES;

// SQLite's `?` parameters are positional: every statement adds its parameters in the order they
// appear in the text.
export class FleetSql {
  private readonly pg: boolean;
  /** the database clock in ms since the epoch */
  readonly nowMs: string;

  constructor(readonly provider: DbProvider) {
    this.pg = provider === 'postgresql';
    this.nowMs = this.pg ? `(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint` : `CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)`;
  }

  /**
   * The ids of the nodes that are alive, as an uncorrelated subquery (PostgreSQL evaluates it
   * once per statement): the lease lives at `now`, and on PostgreSQL a node that took a liveness
   * lock still holds it. A lock that is gone while the lease lives means the node's session
   * ended (the process died, or its connection was reset, and it closed its sockets then), so
   * its phones need not wait for the lease (docs/fleet.md, "Which failure takes which path").
   */
  alive(now: string = this.nowMs): string {
    const lease = `SELECT fn."id" FROM "FleetNode" fn WHERE fn."leaseExpiresMs" > ${now}`;
    if (!this.pg) return `(${lease})`;
    const key = `hashtextextended('${nodeLockText("' || fn.\"id\" || '", "' || fn.\"instance\" || '")}', 0)`;
    return `(${lease} AND (fn."instance" NOT LIKE '${LOCKED_INSTANCE_PREFIX}%' OR EXISTS (
        SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND l.classid::bigint = ((${key} >> 32) & 4294967295) AND l.objid::bigint = (${key} & 4294967295))))`;
  }

  /**
   * The ids of the nodes a claim may NOT take phones from: the lease lives, and the node (with its
   * instance: `id:instance`) is not among `dead`, the nodes this node has seen without their
   * liveness lock for a grace period (fleet.ts `checkDeaths`). A lock that is gone stays gone for
   * that instance, so the observation stays true; the grace gives the node whose connection was
   * reset the time to see it too and close its sockets before anyone takes its phones.
   */
  private notDead(p: Params, now: string, dead: string[]): string {
    const lease = `SELECT fn."id" FROM "FleetNode" fn WHERE fn."leaseExpiresMs" > ${now}`;
    if (!this.pg || !dead.length) return `(${lease})`;
    return `(${lease} AND (fn."id" || ':' || fn."instance") <> ALL(${p.add(dead)}::text[]))`;
  }

  /**
   * The judgement of a claim on PostgreSQL: the statement's own start (its snapshot's moment),
   * never a later clock reading, so a lease is never compared with a time its snapshot cannot see.
   */
  private get stmtNowMs(): string {
    return this.pg ? `(EXTRACT(EPOCH FROM statement_timestamp()) * 1000)::bigint` : this.nowMs;
  }

  /** Takes this node's liveness lock (PostgreSQL): true when taken. */
  takeNodeLock(nodeId: string, instance: string): Statement {
    return { sql: `SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS "ok"`, params: [nodeLockText(nodeId, instance)] };
  }

  /**
   * Nodes whose lease lives but that are not alive: their liveness lock is gone (PostgreSQL ended
   * their session). A survivor claims their phones at once instead of waiting out the lease.
   */
  deadNodes(): Statement {
    return { sql: `SELECT "id", "instance" FROM "FleetNode" WHERE "leaseExpiresMs" > ${this.nowMs} AND "id" NOT IN ${this.alive()} ORDER BY "id"`, params: [] };
  }

  private params() {
    return new Params(DIALECTS[this.provider]);
  }

  private running(p: Params) {
    return RUNNING_STATUSES.map((s) => p.add(s)).join(', ');
  }

  /**
   * Creates or renews a node's lease for one process (`instance`, random per start); returns its
   * expiry and the database's now. No row comes back when another process holds a live lease
   * under the same id: two processes never share a NODE_ID.
   */
  renew(nodeId: string, ttlMs: number, capacity: number, instance = '', previous?: string): Statement {
    const p = this.params();
    const id = p.add(nodeId);
    const ttl = `CAST(${p.add(ttlMs)} AS BIGINT)`;
    const cap = `CAST(${p.add(capacity)} AS INTEGER)`;
    const inst = p.add(instance);
    // `previous`: this process's own earlier token (it lost its liveness lock and took a new one).
    const prev = previous !== undefined ? ` OR "FleetNode"."instance" = ${p.add(previous)}` : '';
    return {
      sql: `INSERT INTO "FleetNode" ("id", "leaseExpiresMs", "capacity", "instance") VALUES (${id}, ${this.nowMs} + ${ttl}, ${cap}, ${inst})
        ON CONFLICT ("id") DO UPDATE SET "leaseExpiresMs" = excluded."leaseExpiresMs", "capacity" = excluded."capacity", "instance" = excluded."instance"
          WHERE "FleetNode"."instance" = excluded."instance"${prev} OR "FleetNode"."leaseExpiresMs" <= ${this.nowMs}
        RETURNING "leaseExpiresMs", ${this.nowMs} AS "nowMs"`,
      params: p.values,
    };
  }

  /** How long the lease of a node id still lives (a refused start says so), in ms; none when it is free. */
  leaseLeft(nodeId: string): Statement {
    const p = this.params();
    return { sql: `SELECT "leaseExpiresMs" - ${this.nowMs} AS "leftMs" FROM "FleetNode" WHERE "id" = ${p.add(nodeId)} AND "leaseExpiresMs" > ${this.nowMs}`, params: p.values };
  }

  /**
   * A new process took a node id that an earlier one held: every phone still owned under that id
   * moves to the next epoch, so a late write of the earlier process can never match.
   */
  reincarnate(nodeId: string): Statement {
    const p = this.params();
    return { sql: `UPDATE "PhoneOwner" SET "epoch" = "epoch" + 1 WHERE "nodeId" = ${p.add(nodeId)}`, params: p.values };
  }

  /** The nodes whose lease lives, with the database's now (how long ago each renewed: policy.ts `ownerSilent`). */
  liveNodes(): Statement {
    return { sql: `SELECT "id", "capacity", "leaseExpiresMs", ${this.nowMs} AS "nowMs" FROM "FleetNode" WHERE "id" IN ${this.alive()} ORDER BY "id"`, params: [] };
  }

  /**
   * The live nodes for the Nodes page: capacity, lease end and the database's now (read together),
   * and how many phones each runs (owner rows of phones that should run).
   */
  nodesOverview(): Statement {
    const p = this.params();
    const running = this.running(p);
    return {
      sql: `SELECT n."id", n."capacity", n."leaseExpiresMs", ${this.nowMs} AS "nowMs",
          (SELECT COUNT(*) FROM "PhoneOwner" o JOIN "OrganizationPhone" ph ON ph."id" = o."phoneId" WHERE o."nodeId" = n."id" AND ph."status" IN (${running})) AS "phones"
        FROM "FleetNode" n WHERE n."leaseExpiresMs" > ${this.nowMs} ORDER BY n."id"`,
      params: p.values,
    };
  }

  /**
   * Live nodes (`live` 1) and nodes whose lease ran out without a drain (a drain deletes the row)
   * within the last `recentMs` (`live` 0): what the alert rule "a fleet node lost" watches.
   */
  nodeLiveness(recentMs: number): Statement {
    const p = this.params();
    const recent = `CAST(${p.add(recentMs)} AS BIGINT)`;
    return {
      sql: `SELECT "id", CASE WHEN "leaseExpiresMs" > ${this.nowMs} THEN 1 ELSE 0 END AS "live" FROM "FleetNode" WHERE "leaseExpiresMs" > ${this.nowMs} - ${recent} ORDER BY "id"`,
      params: p.values,
    };
  }

  /** How many phones should run in the whole fleet. */
  countToRun(): Statement {
    const p = this.params();
    return { sql: `SELECT COUNT(*) AS "n" FROM "OrganizationPhone" WHERE "status" IN (${this.running(p)})`, params: p.values };
  }

  /** The phones a node owns, with their epochs and whether they should run. */
  owned(nodeId: string): Statement {
    const p = this.params();
    const running = this.running(p);
    const me = p.add(nodeId);
    return {
      sql: `SELECT o."phoneId", o."epoch", CASE WHEN ph."status" IN (${running}) THEN 1 ELSE 0 END AS "run"
        FROM "PhoneOwner" o JOIN "OrganizationPhone" ph ON ph."id" = o."phoneId" WHERE o."nodeId" = ${me}`,
      params: p.values,
    };
  }

  /** A phone's owner and whether that owner's lease is live. */
  ownerOf(phoneId: number): Statement {
    const p = this.params();
    return {
      sql: `SELECT o."nodeId", o."epoch", CASE WHEN o."nodeId" IN ${this.alive()} THEN 1 ELSE 0 END AS "live"
        FROM "PhoneOwner" o WHERE o."phoneId" = ${p.add(phoneId)}`,
      params: p.values,
    };
  }

  /**
   * SQLite: takes up to `limit` phones that should run and have no live owner, in one statement
   * under its single writer: a new owner row, or the old one moved here with epoch + 1.
   * PostgreSQL claims in two statements of one transaction (`claimLock`, then `claimTake`).
   */
  claim(nodeId: string, limit: number): Statement {
    const p = this.params();
    const running = this.running(p);
    const n = `CAST(${p.add(limit)} AS INTEGER)`; // SQLite's LIMIT refuses a float-bound number
    const me = p.add(nodeId);
    return {
      sql: `WITH cand AS (
          SELECT ph."id" FROM "OrganizationPhone" ph
          WHERE ph."status" IN (${running})
            AND NOT EXISTS (SELECT 1 FROM "PhoneOwner" o WHERE o."phoneId" = ph."id" AND o."nodeId" IN ${this.alive()})
          ORDER BY ph."id" LIMIT ${n})
        INSERT INTO "PhoneOwner" ("phoneId", "nodeId", "epoch", "claimedMs")
        SELECT "id", ${me}, 1, ${this.nowMs} FROM cand WHERE true
        ON CONFLICT ("phoneId") DO UPDATE SET "nodeId" = excluded."nodeId", "epoch" = "PhoneOwner"."epoch" + 1, "claimedMs" = excluded."claimedMs"
          WHERE "PhoneOwner"."nodeId" NOT IN ${this.alive()}
        RETURNING "phoneId", "epoch"`,
      params: p.values,
    };
  }

  /**
   * PostgreSQL, first statement of a claim: locks up to `limit` phones that should run and have
   * no live owner, with their owner rows, and returns them. It never waits: a phone another node
   * is claiming (its phone row locked) or whose owner row a write transaction holds (the fence's
   * share lock, even one stuck for good) is skipped, this round.
   */
  claimLock(limit: number, dead: string[] = []): Statement {
    const p = this.params();
    const running = this.running(p);
    const n = `CAST(${p.add(limit)} AS INTEGER)`;
    const alive = this.notDead(p, this.nowMs, dead);
    return {
      sql: `WITH cand AS (
          SELECT ph."id" FROM "OrganizationPhone" ph
          WHERE ph."status" IN (${running})
            AND NOT EXISTS (SELECT 1 FROM "PhoneOwner" o WHERE o."phoneId" = ph."id" AND o."nodeId" IN ${alive})
          ORDER BY ph."id" LIMIT ${n} FOR UPDATE OF ph SKIP LOCKED),
        own AS (SELECT o."phoneId" FROM "PhoneOwner" o WHERE o."phoneId" IN (SELECT "id" FROM cand) FOR UPDATE SKIP LOCKED)
        SELECT c."id" AS "phoneId" FROM cand c
        WHERE c."id" IN (SELECT "phoneId" FROM own) OR NOT EXISTS (SELECT 1 FROM "PhoneOwner" o WHERE o."phoneId" = c."id")
        ORDER BY c."id"`,
      params: p.values,
    };
  }

  /**
   * PostgreSQL, second statement of a claim: takes the phones `claimLock` locked. A new statement
   * has a new snapshot, taken while this transaction holds their owner rows: liveness is judged
   * on the rows it locked, at the time it locked them, against the statement's own start (never
   * an old snapshot's lease against a fresh clock). A phone whose owner row appeared meanwhile
   * (another node's start) is taken only when that owner is not alive.
   */
  claimTake(nodeId: string, phoneIds: number[], dead: string[] = []): Statement {
    const p = this.params();
    const ids = p.add(phoneIds);
    const me = p.add(nodeId);
    const alive = this.notDead(p, this.stmtNowMs, dead);
    return {
      sql: `INSERT INTO "PhoneOwner" ("phoneId", "nodeId", "epoch", "claimedMs")
        SELECT id, ${me}, 1, ${this.stmtNowMs} FROM unnest(${ids}::int[]) AS id
        ON CONFLICT ("phoneId") DO UPDATE SET "nodeId" = excluded."nodeId", "epoch" = "PhoneOwner"."epoch" + 1, "claimedMs" = excluded."claimedMs"
          WHERE "PhoneOwner"."nodeId" NOT IN ${alive}
        RETURNING "phoneId", "epoch"`,
      params: p.values,
    };
  }

  /** PostgreSQL: locks a phone's owner row (if any) before `claimOne` judges it (waits bounded by the caller's lock_timeout). */
  lockOwnerRow(phoneId: number): Statement {
    return { sql: `SELECT 1 FROM "PhoneOwner" WHERE "phoneId" = CAST($1 AS INTEGER) FOR UPDATE`, params: [phoneId] };
  }

  /**
   * Takes one phone for this node (a start command): when it has no owner, its owner's lease
   * ended, or this node owns it already (then the epoch stays). Returns no row when another live
   * node owns it.
   */
  claimOne(nodeId: string, phoneId: number, dead: string[] = []): Statement {
    const p = this.params();
    const phone = `CAST(${p.add(phoneId)} AS INTEGER)`;
    const me = p.add(nodeId);
    const alive = this.notDead(p, this.stmtNowMs, dead);
    return {
      sql: `INSERT INTO "PhoneOwner" ("phoneId", "nodeId", "epoch", "claimedMs") VALUES (${phone}, ${me}, 1, ${this.stmtNowMs})
        ON CONFLICT ("phoneId") DO UPDATE SET "nodeId" = excluded."nodeId",
          "epoch" = CASE WHEN "PhoneOwner"."nodeId" = excluded."nodeId" THEN "PhoneOwner"."epoch" ELSE "PhoneOwner"."epoch" + 1 END,
          "claimedMs" = excluded."claimedMs"
          WHERE "PhoneOwner"."nodeId" = excluded."nodeId" OR "PhoneOwner"."nodeId" NOT IN ${alive}
        RETURNING "phoneId", "epoch"`,
      params: p.values,
    };
  }

  /** "This node holds this phone at this epoch" on the PhoneOwner row `row` ('' or an alias and its dot). */
  private heldBy(p: Params, row: string, phoneId: number, nodeId: string, epoch: number): string {
    return `${row}"phoneId" = CAST(${p.add(phoneId)} AS INTEGER) AND ${row}"nodeId" = ${p.add(nodeId)} AND ${row}"epoch" = CAST(${p.add(epoch)} AS BIGINT)`;
  }

  /**
   * This node runs a phone again that it still owns in the database but had stopped running here
   * (self-fencing through an outage, a restart under the same NODE_ID): the epoch moves on, so a
   * write of the session it abandoned that is still in flight is refused by the database and can
   * never land after the new session's (issue 21.7). No row when the phone moved meanwhile.
   */
  reclaim(nodeId: string, phoneId: number, epoch: number): Statement {
    const p = this.params();
    return {
      sql: `UPDATE "PhoneOwner" SET "epoch" = "epoch" + 1, "claimedMs" = ${this.nowMs}
        WHERE ${this.heldBy(p, '', phoneId, nodeId, epoch)}
        RETURNING "phoneId", "epoch"`,
      params: p.values,
    };
  }

  /**
   * Gives up phones (drain, rebalancing): their rows name no node any more, so any live node may
   * claim them at once, with the next epoch (a row is never deleted: the epoch never goes back).
   */
  release(nodeId: string, phoneIds?: number[]): Statement {
    const p = this.params();
    const released = p.add(RELEASED);
    const me = p.add(nodeId);
    const only = phoneIds ? ` AND "phoneId" IN (${phoneIds.length ? phoneIds.map((id) => p.add(id)).join(', ') : 'NULL'})` : '';
    return { sql: `UPDATE "PhoneOwner" SET "nodeId" = ${released} WHERE "nodeId" = ${me}${only}`, params: p.values };
  }

  /**
   * Whether this node holds the phone at this epoch with a live lease (and, on PostgreSQL, its
   * liveness lock), checked right before a socket opens (a start, a command, a reconnect): a node
   * that lost the phone, or whose lock session ended, never opens one.
   */
  holds(phoneId: number, nodeId: string, epoch: number): Statement {
    const p = this.params();
    return {
      sql: `SELECT 1 AS "ok" FROM "PhoneOwner" o
        WHERE ${this.heldBy(p, 'o.', phoneId, nodeId, epoch)} AND o."nodeId" IN ${this.alive()}`,
      params: p.values,
    };
  }

  /** The owner rows of some phones (a remote node's snapshot is believed only when its row agrees). */
  ownersOf(phoneIds: number[]): Statement {
    const p = this.params();
    if (this.pg) return { sql: `SELECT "phoneId", "nodeId", "epoch" FROM "PhoneOwner" WHERE "phoneId" = ANY(${p.add(phoneIds)}::int[])`, params: p.values };
    return { sql: `SELECT "phoneId", "nodeId", "epoch" FROM "PhoneOwner" WHERE "phoneId" IN (SELECT value FROM json_each(${p.add(JSON.stringify(phoneIds))}))`, params: p.values };
  }

  /** Ends a node's lease (drain). */
  leave(nodeId: string): Statement {
    const p = this.params();
    return { sql: `DELETE FROM "FleetNode" WHERE "id" = ${p.add(nodeId)}`, params: p.values };
  }

  /**
   * The fence of one phone's write, run first in the write's transaction: it inserts a row that
   * FenceRefusal's CHECK refuses unless the phone is still owned by this node at this epoch, so a
   * stale owner's write fails in the database and rolls back. On PostgreSQL the owner row is
   * share-locked until commit, so ownership cannot move between the check and the write.
   */
  fence(phoneId: number, nodeId: string, epoch: number): Statement {
    const p = this.params();
    const phone = p.add(phoneId);
    const lock = this.pg ? ' FOR SHARE' : '';
    return {
      sql: `INSERT INTO "FenceRefusal" ("phoneId") SELECT CAST(${phone} AS INTEGER) WHERE NOT EXISTS (
          SELECT 1 FROM "PhoneOwner" WHERE "phoneId" = CAST(${p.add(phoneId)} AS INTEGER) AND "nodeId" = ${p.add(nodeId)} AND "epoch" = CAST(${p.add(epoch)} AS BIGINT)${lock})`,
      params: p.values,
    };
  }
}

/** True when a database error is a fence's refusal. */
export function isFenceRefusal(err: unknown): boolean {
  const text = err instanceof Error ? `${err.message} ${String((err as { meta?: unknown }).meta ? JSON.stringify((err as { meta?: unknown }).meta) : '')}` : String(err);
  return text.includes('stale_owner_write_refused');
}
