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
