// The fleet's bus: commands and events between the nodes of one fleet. PostgreSQL LISTEN/NOTIFY
// on the database the fleet already shares (docs/fleet.md has the measurement behind the choice).
// A fleet of one (SQLite, or a single node) uses the loopback bus: nothing leaves the process.
import pg from 'pg';
import type { Logger } from '../logger';
import { BusDrop, type BusSeal, type DropReason } from './bus-seal';

export type BusHandler = (message: unknown) => void | Promise<void>;

export interface FleetBus {
  publish(channel: string, message: unknown): Promise<void>;
  subscribe(channel: string, handler: BusHandler): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** PostgreSQL allows 8000 bytes per NOTIFY payload; bigger messages are refused before sending. */
export const MAX_NOTIFY_BYTES = 7900;
/** The most JSON bytes of one message: sealing adds base64 (4/3) and ~150 bytes of envelope. */
export const MAX_MESSAGE_BYTES = Math.floor((MAX_NOTIFY_BYTES - 200) * 0.75) - 300;

/** Bus messages refused in this process, by reason (wa_fleet_bus_dropped_total). */
export const busDrops = new Map<DropReason, number>();
export const countDrop = (reason: DropReason) => busDrops.set(reason, (busDrops.get(reason) ?? 0) + 1);

/** Runs a handler so that neither a throw nor a rejection can take the process down. */
function deliver(handler: BusHandler, message: unknown, log: Logger | null, channel: string) {
  const failed = (err: unknown) => log?.error({ err, channel }, 'fleet bus handler failed');
  try {
    const r = handler(message);
    if (r && typeof (r as Promise<void>).catch === 'function') (r as Promise<void>).catch(failed);
  } catch (err) {
    failed(err);
  }
}

/** In-process bus: a fleet of one, and unit tests. */
export class LoopbackBus implements FleetBus {
  private handlers = new Map<string, Set<BusHandler>>();
  async publish(channel: string, message: unknown) {
    const copy = JSON.parse(JSON.stringify(message));
    for (const h of this.handlers.get(channel) ?? []) queueMicrotask(() => deliver(h, copy, null, channel));
  }
  async subscribe(channel: string, handler: BusHandler) {
    const set = this.handlers.get(channel) ?? new Set();
    set.add(handler);
    this.handlers.set(channel, set);
    return async () => void set.delete(handler);
  }
  async close() {
    this.handlers.clear();
  }
}

const quoteIdent = (name: string) => {
  if (!/^[a-z0-9_]{1,63}$/.test(name)) throw new Error(`bad bus channel name: ${name}`);
  return `"${name}"`;
};

/**
 * LISTEN/NOTIFY: one dedicated connection listens (re-connected with backoff when it drops, and
 * every channel listened again); NOTIFY goes through a small pool. Every payload is sealed
 * (bus-seal.ts): what fails to open is dropped, counted (`onDrop`) and logged, never handled.
 */
export class PgBus implements FleetBus {
  private listener: pg.Client | null = null;
  private readonly pool: pg.Pool;
  private handlers = new Map<string, Set<BusHandler>>();
  private closed = false;
  private connecting: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;

  private lastDropLog = 0;

  constructor(
    private readonly url: string,
    private readonly log: Logger,
    private readonly seal: BusSeal,
    private readonly onDrop: (reason: DropReason, channel: string) => void = countDrop,
  ) {
    this.pool = new pg.Pool({ connectionString: url, max: 2, idleTimeoutMillis: 10_000 });
    this.pool.on('error', (err) => this.log.warn({ err }, 'fleet bus pool error'));
  }

  private connect(): Promise<void> {
    this.connecting ??= (async () => {
      const client = new pg.Client({ connectionString: this.url });
      client.on('notification', (n) => {
        let body: unknown;
        try {
          body = this.seal.open(n.channel, n.payload ?? '').body;
        } catch (err) {
          this.dropped(err instanceof BusDrop ? err.reason : 'malformed', n.channel, n.processId);
          return;
        }
        for (const h of this.handlers.get(n.channel) ?? []) deliver(h, body, this.log, n.channel);
      });
      const lost = (err?: unknown) => {
        if (this.listener !== client) return;
        this.listener = null;
        if (this.closed) return;
        this.log.warn({ err }, 'fleet bus connection lost: reconnecting');
        this.retryTimer = setTimeout(() => void this.connect().catch(() => {}), 1000);
      };
      client.on('error', lost);
      client.on('end', () => lost());
      try {
        await client.connect();
        for (const channel of this.handlers.keys()) await client.query(`LISTEN ${quoteIdent(channel)}`);
        this.listener = client;
      } catch (err) {
        await client.end().catch(() => {});
        if (!this.closed) this.retryTimer = setTimeout(() => void this.connect().catch(() => {}), 1000);
        throw err;
      }
    })().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  /** A refused message: counted every time, logged at most once a second (a flood must not flood the log). */
  dropped(reason: DropReason, channel: string, senderPid?: number) {
    this.onDrop(reason, channel);
    const now = Date.now();
    if (now - this.lastDropLog < 1000) return;
    this.lastDropLog = now;
    this.log.warn({ reason, channel, senderPid }, 'fleet bus message refused (not sealed with this fleet\'s key, altered, replayed or too old)');
  }

  async publish(channel: string, message: unknown) {
    const payload = this.seal.seal(channel, message);
    if (Buffer.byteLength(payload) > MAX_NOTIFY_BYTES) throw new Error(`bus message too large (${Buffer.byteLength(payload)} bytes)`);
    await this.pool.query('SELECT pg_notify($1, $2)', [channel, payload]);
  }

  async subscribe(channel: string, handler: BusHandler) {
    quoteIdent(channel);
    const set = this.handlers.get(channel) ?? new Set();
    const first = set.size === 0;
    set.add(handler);
    this.handlers.set(channel, set);
    if (!this.listener) await this.connect();
    else if (first) await this.listener.query(`LISTEN ${quoteIdent(channel)}`);
    return async () => {
      set.delete(handler);
      if (!set.size) {
        this.handlers.delete(channel);
        await this.listener?.query(`UNLISTEN ${quoteIdent(channel)}`).catch(() => {});
      }
    };
  }

  async close() {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const l = this.listener;
    this.listener = null;
    await l?.end().catch(() => {});
    await this.pool.end().catch(() => {});
  }
}

/** Packs items into as few messages as fit the payload limit. */
export function packMessages<T>(items: T[], maxBytes = MAX_MESSAGE_BYTES): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let size = 2;
  for (const item of items) {
    const bytes = Buffer.byteLength(JSON.stringify(item)) + 1;
    if (bytes > maxBytes) continue; // one item alone too big: dropped (the snapshot refresh repairs views)
    if (current.length && size + bytes > maxBytes) {
      out.push(current);
      current = [];
      size = 2;
    }
    current.push(item);
    size += bytes;
  }
  if (current.length) out.push(current);
  return out;
}
