// The fleet's decisions, as pure functions: how many phones a node takes, and when it must stop
// acting as an owner. The effects (SQL, sockets, timers) live in fleet.ts.

import type { CommandRoute } from '../sessions/fleet-port';
export type { CommandRoute };

/**
 * How many more phones a node may claim now: up to its fair share of the phones that should run
 * (spread evenly over the live nodes) and never past its capacity.
 */
export function claimQuota(input: { toRun: number; liveNodes: number; capacity: number; owned: number }): number {
  const nodes = Math.max(1, input.liveNodes);
  const fair = Math.ceil(input.toRun / nodes);
  return Math.max(0, Math.min(input.capacity, fair) - input.owned);
}

/**
 * How many phones a node hands back this round because it runs more than its share (a node
 * that booted first, or the nodes that took over during a rolling restart): a few per round, so
 * phones move one reconnect at a time and never in a storm. The share rounds up, so the shares
 * cover every phone and a handed-back phone always finds a node below its share (no ping-pong).
 */
export function shedQuota(input: { toRun: number; liveNodes: number; owned: number }): number {
  const nodes = Math.max(1, input.liveNodes);
  if (nodes === 1) return 0;
  const fair = Math.ceil(input.toRun / nodes);
  const excess = input.owned - fair;
  return excess > 0 ? Math.min(excess, Math.max(1, Math.ceil(fair / 4))) : 0;
}

/**
 * Self-fencing: a node must close its sockets before its lease can expire in the database. The
 * lease was granted for `ttlMs` when the last successful renewal STARTED (so the database's expiry
 * is at least that late); the node stops acting `marginMs` before, on a monotonic clock.
 */
export function mustSelfFence(input: { lastRenewStartMono: number | null; nowMono: number; ttlMs: number; marginMs: number }): boolean {
  if (input.lastRenewStartMono === null) return false; // never owned anything
  return input.nowMono - input.lastRenewStartMono >= input.ttlMs - input.marginMs;
}

/**
 * Whether another node has stopped renewing its lease: its last renewal (the lease's expiry less
 * the lease length) is more than two renewal intervals old on the database's clock, so it missed
 * at least one. Its phones are then shown as `owner_lost` (nothing can say they still run) until
 * they run elsewhere; a lease that lapsed is lost too. A healthy owner renews every `renewMs`, and
 * `renewMs × 2 ≤ ttlMs − marginMs` (config), so a silent owner that is alive has fenced itself
 * (closed its sockets) by the time its lease lapses. All nodes use the same lease settings.
 */
export function ownerSilent(input: { leaseExpiresMs: number; nowMs: number; ttlMs: number; renewMs: number }): boolean {
  if (input.leaseExpiresMs <= input.nowMs) return true;
  return input.nowMs - (input.leaseExpiresMs - input.ttlMs) > input.renewMs * 2;
}

export interface OwnedPhone {
  phoneId: number;
  epoch: number;
}

/**
 * Compares what this node runs with what the database says it owns: phones to stop (owned
 * elsewhere now, or at another epoch) and phones to start (claimed but not running here).
 */
export function reconcile(local: Map<number, number>, stored: OwnedPhone[]): { lost: number[]; gained: OwnedPhone[] } {
  const storedMap = new Map(stored.map((o) => [o.phoneId, o.epoch]));
  const lost = [...local.keys()].filter((id) => storedMap.get(id) !== local.get(id));
  const gained = stored.filter((o) => !local.has(o.phoneId));
  return { lost, gained };
}

/** Where a command for a phone runs. */

export function routeCommand(self: string, owner: { nodeId: string; epoch: number; live: boolean } | null): CommandRoute {
  if (!owner || !owner.live) return { kind: 'unowned' };
  if (owner.nodeId === self) return { kind: 'local' };
  return { kind: 'remote', nodeId: owner.nodeId, epoch: owner.epoch };
}

/**
 * Whether a command forwarded by another node may run here: only before its deadline (the sender
 * has answered the caller by then and said the command will not run), and only while this node
 * still owns the phone at the epoch the sender routed it to (a paused node that resumes after
 * losing the phone must not act on it).
 */
export function mayRunForwarded(input: { nowMs: number; deadlineMs: number; routedEpoch: number; ownedEpoch: number | null }): 'run' | 'expired' | 'not_owner' {
  if (input.nowMs > input.deadlineMs) return 'expired';
  if (input.ownedEpoch === null || input.ownedEpoch !== input.routedEpoch) return 'not_owner';
  return 'run';
}

/** A node seen without its liveness lock: when first seen so (monotonic ms), and whether a round was asked for it. */
export interface Lockless {
  first: number;
  due: boolean;
}

/**
 * The fast path's evidence (PostgreSQL): nodes (`id:instance`) seen without their liveness lock
 * while their lease lives. A node is dead for the claims once seen so for `graceMs` (the time for
 * a node whose connection was reset to notice too and close its sockets); a lock that is gone
 * stays gone for that instance, so the observation stays true until its lease lapses (then it
 * drops out of `lockless` and is forgotten here).
 */
export function observeLockless(input: { seen: ReadonlyMap<string, Lockless>; lockless: ReadonlySet<string>; nowMono: number; graceMs: number }): {
  seen: Map<string, Lockless>;
  /** seen without a lock for the first time */
  fresh: string[];
  /** past the grace now, and not reported before: a round should claim their phones now */
  due: string[];
} {
  const seen = new Map<string, Lockless>();
  const fresh: string[] = [];
  const due: string[] = [];
  for (const key of input.lockless) {
    const known = input.seen.get(key);
    const first = known?.first ?? input.nowMono;
    if (!known) fresh.push(key);
    const past = input.nowMono - first >= input.graceMs;
    if (past && !known?.due) due.push(key);
    seen.set(key, { first, due: past });
  }
  return { seen, fresh, due };
}

/** The lock-less nodes seen so for the grace by `nowMono`: a claim may take their phones. */
export function deadForClaims(input: { seen: ReadonlyMap<string, Lockless>; nowMono: number; graceMs: number }): string[] {
  return [...input.seen].filter(([, l]) => input.nowMono - l.first >= input.graceMs).map(([key]) => key);
}
