// What this node knows of the phones other nodes run: their latest snapshot, fed by the owners'
// events over the bus. The sessions list, stats, metrics and the event stream read it next to the
// local sessions, so every node shows the whole fleet. A phone whose owner stopped renewing its
// lease (dead, paused, cut off: policy.ts `ownerSilent`, on the database's clock) is shown as
// `owner_lost` until it runs elsewhere (a newer owner's snapshot, or a claim by this node): never
// as the `open` its silent owner last reported.
import { isRunningState, type SessionEngineEvent, type SessionSnapshot, type SessionState } from '../sessions/types';

/** One engine event of a remote phone, with the owner's snapshot right after it and its epoch. */
export interface RemoteEvent {
  event: SessionEngineEvent;
  snapshot: SessionSnapshot;
  epoch: number;
}

/** A phone whose shown state changed because its owner fell silent or was heard again. */
export interface ShownChange {
  phoneId: number;
  /** the owner that fell silent or was heard again */
  nodeId: string;
  phoneJid: string;
  previous: SessionState;
  state: SessionState;
}

/** A state that says the owner runs (or is about to run) a socket: what a silent owner cannot vouch for. */
const claimsSocket = (state: SessionState) => isRunningState(state) || state === 'closing';

/** How a phone of a silent owner is shown: nothing runs it for sure, nothing to pair with. */
function ownerLost(snapshot: SessionSnapshot): SessionSnapshot {
  return { ...snapshot, state: 'owner_lost', isConnected: false, health: 'closed', healthReason: 'not-running', qr: null, pairingCode: null };
}

export class RemoteView {
  private phones = new Map<number, { nodeId: string; snapshot: SessionSnapshot; epoch: number }>();
  /** owner nodes that stopped renewing their lease (or whose lease lapsed) */
  private silent = new Set<string>();
  /** grows with every change (list caches key on it) */
  version = 0;

  /**
   * Takes a remote snapshot; false (ignored) when it comes from an older owner than the one
   * already heard from (a node that lost the phone and had not noticed yet).
   */
  apply(nodeId: string, snapshot: SessionSnapshot, epoch: number): boolean {
    const known = this.phones.get(snapshot.phoneId);
    if (known && known.epoch > epoch) return false;
    this.phones.set(snapshot.phoneId, { nodeId, snapshot, epoch });
    this.version++;
    return true;
  }

  /** Forgets a phone (it runs here now, or was deleted). */
  forget(phoneId: number) {
    if (this.phones.delete(phoneId)) this.version++;
  }

  /**
   * Marks which owners are heard from (a lease renewed lately); every other owner's running phones
   * are shown as `owner_lost` from now on, until a newer owner reports them or this node claims
   * them. Returns the phones whose shown state changed (for the event stream).
   */
  hearOnly(heard: Set<string>): ShownChange[] {
    const silent = new Set([...this.phones.values()].map((e) => e.nodeId).filter((n) => !heard.has(n)));
    const changes: ShownChange[] = [];
    for (const { nodeId, snapshot } of this.phones.values()) {
      if (!claimsSocket(snapshot.state)) continue;
      const was = this.silent.has(nodeId);
      const is = silent.has(nodeId);
      if (was === is) continue;
      const base = { phoneId: snapshot.phoneId, nodeId, phoneJid: snapshot.phoneJid };
      changes.push(is ? { ...base, previous: snapshot.state, state: 'owner_lost' } : { ...base, previous: 'owner_lost', state: snapshot.state });
    }
    this.silent = silent;
    if (changes.length) this.version++;
    return changes;
  }

  /** Forgets every phone of a node that left in order (a drain released its phones: they open elsewhere at once). */
  forgetNode(nodeId: string) {
    for (const [id, entry] of this.phones) if (entry.nodeId === nodeId) this.phones.delete(id);
    this.silent.delete(nodeId);
    this.version++;
  }

  private shown(entry: { nodeId: string; snapshot: SessionSnapshot }): SessionSnapshot {
    return this.silent.has(entry.nodeId) && claimsSocket(entry.snapshot.state) ? ownerLost(entry.snapshot) : entry.snapshot;
  }

  snapshot(phoneId: number): SessionSnapshot | null {
    const entry = this.phones.get(phoneId);
    return entry ? this.shown(entry) : null;
  }

  nodeOf(phoneId: number): string | null {
    return this.phones.get(phoneId)?.nodeId ?? null;
  }

  snapshots(): SessionSnapshot[] {
    return [...this.phones.values()].map((e) => this.shown(e));
  }

  get size() {
    return this.phones.size;
  }
}
