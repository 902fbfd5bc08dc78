// One phone's state and event writes, kept in order and applied through the store. When the
// database is unreachable the writes stay here and are applied, in order, once it is back; other
// errors (a write that is wrong, not late) are logged and that write is dropped.
//
// Bounded: at most `limit` writes wait per phone. When full, the waiting state writes are first
// coalesced into one (a phone's stored status only needs the latest state; the fields of the
// older writes that the latest does not set are kept), and if it is still full a new event is
// dropped — counted in `droppedEvents` and logged — while a new state write makes room by dropping
// the oldest waiting event instead (the status must end up right). Events carry a unique id, so
// one that was stored just before the connection broke is not stored twice when retried.
import type { IntervalWrite, PhoneStateWrite, SessionEventWrite } from './sql';
import { backoffDelay, DATABASE_RETRY } from '../../retry/backoff';

/** Interval writes (the phone's history, lib/health) wait and are dropped like events when full. */
export type OutboxWrite = { kind: 'state'; data: PhoneStateWrite } | { kind: 'event'; data: SessionEventWrite } | { kind: 'interval'; data: IntervalWrite };

export interface OutboxOptions {
  /** applies writes atomically and in order (one transaction) */
  apply(writes: OutboxWrite[]): Promise<void>;
  isUnreachable(err: unknown): boolean;
  /** the most writes that may wait (default 1000) */
  limit?: number;
  /** the most writes applied together (default 32) */
  maxGroup?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  log?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void; info(obj: object, msg: string): void };
  /** for tests */
  sleep?: (ms: number) => Promise<void>;
}

export const OUTBOX_LIMIT = 1000;

const mergeState = (older: PhoneStateWrite, newer: PhoneStateWrite): PhoneStateWrite => ({
  ...(newer.status !== undefined || older.status !== undefined ? { status: newer.status ?? older.status } : {}),
  lastConnectedAt: newer.lastConnectedAt ?? older.lastConnectedAt,
  lastCloseReason: newer.lastCloseReason !== undefined ? newer.lastCloseReason : older.lastCloseReason,
  ...(newer.lastClose !== undefined || older.lastClose !== undefined ? { lastClose: newer.lastClose !== undefined ? newer.lastClose : older.lastClose } : {}),
  ...(newer.lid !== undefined || older.lid !== undefined ? { lid: newer.lid !== undefined ? newer.lid : older.lid } : {}),
  ...(newer.accountSignals !== undefined || older.accountSignals !== undefined ? { accountSignals: newer.accountSignals !== undefined ? newer.accountSignals : older.accountSignals } : {}),
});

export class Outbox {
  private queue: OutboxWrite[] = [];
  /** how many writes at the head of the queue are being applied (they must not be touched) */
  private inFlight = 0;
  private running: Promise<void> | null = null;
  private waiters: (() => void)[] = [];
  /** true while writes wait for the database to come back */
  unreachable = false;
  droppedEvents = 0;
  coalescedStates = 0;
  droppedFailed = 0;
  /** writes dropped because the session was abandoned (close()) */
  droppedClosed = 0;
  /** set by close(): nothing is applied any more */
  private closed = false;
  private readonly limit: number;
  private readonly maxGroup: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly opts: OutboxOptions) {
    this.limit = Math.max(2, opts.limit ?? OUTBOX_LIMIT);
    this.maxGroup = Math.min(opts.maxGroup ?? 32, this.limit - 1); // a full queue always has a waiting place
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  get size() {
    return this.queue.length;
  }

  push(write: OutboxWrite) {
    if (this.closed) {
      this.droppedClosed++;
      return;
    }
    if (this.queue.length >= this.limit && this.makeRoom(write)) return;
    if (this.queue.length >= this.limit) {
      // Only events wait and this is one more: drop it.
      this.dropEvent('a new event');
      return;
    }
    this.queue.push(write);
    this.kick();
  }

  private kick() {
    if (this.running || this.closed) return;
    this.running = this.drain().finally(() => {
      this.running = null;
      if (this.queue.length && !this.closed) this.kick();
      else for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Frees a place for `write`; true when `write` was absorbed (merged) instead. */
  private makeRoom(write: OutboxWrite): boolean {
    // 1. Coalesce the waiting state writes (not the ones in flight) into the last of them.
    const states: number[] = [];
    for (let i = this.inFlight; i < this.queue.length; i++) if (this.queue[i].kind === 'state') states.push(i);
    if (states.length > 1) {
      let merged = this.queue[states[0]].data as PhoneStateWrite;
      for (const i of states.slice(1)) merged = mergeState(merged, this.queue[i].data as PhoneStateWrite);
      this.queue[states[states.length - 1]] = { kind: 'state', data: merged };
      const drop = new Set(states.slice(0, -1));
      this.queue = this.queue.filter((_, i) => !drop.has(i));
      this.coalescedStates += drop.size;
      this.opts.log?.warn({ coalesced: drop.size }, 'session write buffer full: older state writes coalesced into the latest');
    }
    if (this.queue.length < this.limit || write.kind !== 'state') return false;
    // 2. A state write must get in: drop the oldest waiting event for it...
    const oldest = this.queue.findIndex((w, i) => i >= this.inFlight && w.kind === 'event');
    if (oldest >= 0) {
      this.queue.splice(oldest, 1);
      this.dropEvent('the oldest waiting event, for a state write');
      return false;
    }
    // ...or, when only state writes are left, merge into the waiting one.
    const last = this.queue.length - 1;
    if (last >= this.inFlight && this.queue[last].kind === 'state') {
      this.queue[last] = { kind: 'state', data: mergeState(this.queue[last].data as PhoneStateWrite, write.data) };
      this.coalescedStates++;
      return true;
    }
    return false;
  }

  /** Counts a dropped event; logs the 1st, 2nd, 4th, 8th… so a long outage does not flood the log. */
  private dropEvent(which: string) {
    this.droppedEvents++;
    if ((this.droppedEvents & (this.droppedEvents - 1)) === 0) {
      this.opts.log?.warn({ dropped: this.droppedEvents, waiting: this.queue.length, which }, 'session write buffer full while the database is unreachable: events dropped');
    }
  }

  private async drain() {
    let failures = 0;
    while (this.queue.length && !this.closed) {
      const group = this.queue.slice(0, this.maxGroup);
      this.inFlight = group.length;
      try {
        await this.opts.apply(group);
        this.queue.splice(0, group.length);
        if (this.unreachable) {
          this.unreachable = false;
          this.opts.log?.info({ waiting: this.queue.length }, 'database reachable again: applying the buffered session writes');
        }
        failures = 0;
      } catch (err) {
        if (this.closed) {
          // Abandoned while this group was in flight: it is dropped with the rest.
          this.droppedClosed += group.length;
          this.queue.splice(0, group.length);
          break;
        }
        if (this.opts.isUnreachable(err)) {
          if (!this.unreachable) this.opts.log?.warn({ err, waiting: this.queue.length }, 'database unreachable: session writes kept until it is back');
          this.unreachable = true;
          failures++;
          this.inFlight = 0;
          await this.sleep(backoffDelay(failures, { baseMs: this.opts.retryBaseMs ?? DATABASE_RETRY.baseMs, maxMs: this.opts.retryMaxMs ?? DATABASE_RETRY.maxMs }));
          continue;
        }
        // Not an outage: find the bad write(s), apply the rest.
        for (const w of group) {
          if (this.closed) break;
          try {
            await this.opts.apply([w]);
          } catch (one) {
            if (this.opts.isUnreachable(one)) break; // the database went away meanwhile: retry the rest later
            this.droppedFailed++;
            this.opts.log?.error({ err: one, write: w.kind }, 'failed to persist session state');
          }
          this.queue.shift();
        }
      } finally {
        this.inFlight = 0;
      }
    }
  }

  /**
   * The session this outbox belongs to was abandoned: another node, or this node's next session
   * of the phone (after self-fencing through an outage), writes the phone's state from now on.
   * Its waiting writes are dropped (counted in `droppedClosed`), later ones are refused, no retry
   * runs again: nothing of it may land after its successor's writes (issue 21.7). A group already
   * in flight is not recalled: the fleet moves the phone's epoch on before it runs the phone again,
   * so the database refuses it.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const waiting = this.queue.length - this.inFlight;
    this.droppedClosed += waiting;
    this.queue.splice(this.inFlight);
    if (waiting) this.opts.log?.info({ dropped: waiting }, 'session abandoned: its waiting state and event writes are dropped');
  }

  /** Resolves when nothing waits (every write applied or dropped). */
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }
}
