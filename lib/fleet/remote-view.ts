// What this node knows of the phones other nodes run: their latest snapshot, fed by the owners'
// events over the bus. The sessions list, stats, metrics and the event stream read it next to the
// local sessions, so every node shows the whole fleet.
import type { SessionEngineEvent, SessionSnapshot } from '../sessions/types';

/** One engine event of a remote phone, with the owner's snapshot right after it and its epoch. */
export interface RemoteEvent {
  event: SessionEngineEvent;
  snapshot: SessionSnapshot;
  epoch: number;
}

export class RemoteView {
  private phones = new Map<number, { nodeId: string; snapshot: SessionSnapshot; epoch: number }>();
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

  /** Forgets every phone of nodes that are not live any more. */
  keepNodes(live: Set<string>) {
    for (const [id, entry] of this.phones) if (!live.has(entry.nodeId)) this.phones.delete(id);
    this.version++;
  }

  forgetNode(nodeId: string) {
    this.keepNodes(new Set([...this.phones.values()].map((e) => e.nodeId).filter((n) => n !== nodeId)));
  }

  snapshot(phoneId: number): SessionSnapshot | null {
    return this.phones.get(phoneId)?.snapshot ?? null;
  }

  nodeOf(phoneId: number): string | null {
    return this.phones.get(phoneId)?.nodeId ?? null;
  }

  snapshots(): SessionSnapshot[] {
    return [...this.phones.values()].map((e) => e.snapshot);
  }

  get size() {
    return this.phones.size;
  }
}
