// Ids for the event stream and a bounded buffer of recent engine events, so a client that
// reconnects with `Last-Event-ID` gets what it missed. Ids are `<epoch>-<seq>`: the epoch is new
// for every process, so an id from before a restart is recognised as unknown (the client is then
// told to reload its snapshot with a `reset` event), never confused with a new event.
import crypto from 'node:crypto';
import type { SessionEngineEvent } from '../sessions/types';

export interface LoggedEvent {
  seq: number;
  id: string;
  event: SessionEngineEvent;
}

export type Resume =
  | { kind: 'fresh' }
  | { kind: 'resume'; events: LoggedEvent[] }
  | { kind: 'reset'; reason: 'unknown-id' | 'gap' };

export class EventLog {
  readonly epoch = Date.now().toString(36) + crypto.randomBytes(2).toString('hex');
  private ring: LoggedEvent[] = [];
  private start = 0; // index of the oldest entry in ring once it is full
  private seen = new WeakMap<SessionEngineEvent, LoggedEvent>();
  private seq = 0;

  constructor(readonly capacity: number) {}

  /** The entry for an event, numbering it on first sight (whoever sees it first: no ordering needed). */
  record(event: SessionEngineEvent): LoggedEvent {
    const known = this.seen.get(event);
    if (known) return known;
    const entry = { seq: ++this.seq, id: `${this.epoch}-${this.seq}`, event };
    this.seen.set(event, entry);
    if (this.ring.length < this.capacity) this.ring.push(entry);
    else {
      this.ring[this.start] = entry;
      this.start = (this.start + 1) % this.capacity;
    }
    return entry;
  }

  /** The id of the newest event (what a client that has seen everything would send back). */
  currentId(): string {
    return `${this.epoch}-${this.seq}`;
  }

  get lastSeq() {
    return this.seq;
  }

  /** Events after `lastSeq` in order, or null when some of them are no longer kept. */
  since(lastSeq: number): LoggedEvent[] | null {
    if (lastSeq >= this.seq) return [];
    const ordered = this.start === 0 ? this.ring : [...this.ring.slice(this.start), ...this.ring.slice(0, this.start)];
    const oldest = ordered[0]?.seq ?? this.seq + 1;
    if (lastSeq < oldest - 1) return null;
    return ordered.filter((e) => e.seq > lastSeq);
  }

  /** What to do for a client that sent `Last-Event-ID: lastEventId` (or none). */
  resume(lastEventId: string | null): Resume {
    if (!lastEventId) return { kind: 'fresh' };
    const match = /^([a-z0-9]+)-(\d+)$/.exec(lastEventId.trim());
    if (!match || match[1] !== this.epoch || Number(match[2]) > this.seq) return { kind: 'reset', reason: 'unknown-id' };
    const events = this.since(Number(match[2]));
    return events ? { kind: 'resume', events } : { kind: 'reset', reason: 'gap' };
  }
}

const holder = globalThis as unknown as { __sseLog?: EventLog };

/** The process's event log; `capacity` applies when it is first created. */
export function getEventLog(capacity = 1000): EventLog {
  holder.__sseLog ??= new EventLog(capacity);
  return holder.__sseLog;
}
