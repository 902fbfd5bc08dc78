// The seam between the session manager and the fleet, defined on the sessions side so that the
// dependency runs one way: lib/fleet implements `FleetMembership` and calls the manager through
// `FleetHost`; lib/sessions never imports lib/fleet. The composition root (lib/boot) creates the
// fleet and attaches it to the manager.
import type { CloseReason } from './reasons';
import type { SessionEngineEvent, SessionSnapshot } from './types';

/** The operations that may be sent to the owner of a phone. */
export const FLEET_OPS = ['start', 'restart', 'close', 'logout', 'pairing-code', 'remove', 'set-proxy', 'set-engine'] as const;
export type FleetOp = (typeof FLEET_OPS)[number];

export interface FleetCommand {
  op: FleetOp;
  phoneId: number;
  args?: unknown;
}

/** The code of the error a node answers with when it no longer owns the phone at the routed epoch. */
export const OWNER_CHANGED = 'owner_changed';

/** Where a command for a phone runs: here, on its live owner, or nowhere yet. */
export type CommandRoute = { kind: 'local' } | { kind: 'remote'; nodeId: string; epoch: number } | { kind: 'unowned' };

/** What the fleet needs from the session manager. */
export interface FleetHost {
  /** starts a phone this node has just claimed (its fence is set) */
  startOwned(phoneId: number): Promise<void>;
  /** resolves when the phone is no longer connecting (open, pairing, closed) */
  settled(phoneId: number): Promise<void>;
  /** stops a phone this node lost: socket closed at once, nothing written, no reconnect */
  abandon(phoneId: number, why: CloseReason): Promise<void>;
  /** closes every socket without logging out and without changing stored statuses (drain); with `why`, each phone stores it as its last close, as `release` does */
  closeAll(why?: CloseReason): Promise<void>;
  /** closes one phone's socket the same way, but stores `why` as its last close (it is handed to another node), and forgets it here */
  release(phoneId: number, why: CloseReason): Promise<void>;
  /** this node's running phones, in the order it would give them up */
  runningPhones(): number[];
  /** runs a command here (sent by another node, or local) */
  runLocal(cmd: FleetCommand): Promise<unknown>;
  /** how many of this node's phones are running (they count against its capacity) */
  runningCount(): number;
  /** snapshots of this node's sessions (sent to nodes that join) */
  localSnapshots(): SessionSnapshot[];
  /** an event of a phone another node runs (for the live view and the event stream) */
  onRemoteEvent(event: SessionEngineEvent): void;
  /** another node stored a message for the phone: send it when the phone runs here */
  onMessagesQueued(phoneId: number): void;
}

/** What the session manager needs from this node's membership in the fleet. */
export interface FleetMembership {
  readonly nodeId: string;
  /** phone id → the epoch this node owns it at */
  readonly owned: Map<number, number>;
  /** the fleet-wide live view of phones other nodes run */
  readonly remote: {
    readonly version: number;
    snapshot(phoneId: number): SessionSnapshot | null;
    snapshots(): SessionSnapshot[];
    forget(phoneId: number): void;
    /** the node another node last heard run the phone */
    nodeOf(phoneId: number): string | null;
  };
  /** when a node's lease ends (ms, this node's clock), as last read */
  leaseEndOf(nodeId: string): number | null;
  /** claims the phones that were running before and starts the lease (boot) */
  start(): Promise<void>;
  /** hands every phone to the other nodes (shutdown) */
  drain(): Promise<void>;
  route(phoneId: number): Promise<CommandRoute>;
  forward(nodeId: string, epoch: number, cmd: FleetCommand): Promise<unknown>;
  claimOne(phoneId: number): Promise<boolean>;
  publishEvent(event: SessionEngineEvent, snapshot: SessionSnapshot): void;
  publishMessagesQueued(phoneId: number): void;
}
