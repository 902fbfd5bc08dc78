// The fleet's bus: commands and events between the nodes of one fleet. PostgreSQL LISTEN/NOTIFY
// on the database the fleet already shares (docs/fleet.md has the measurement behind the choice).
// A fleet of one (SQLite, or a single node) uses the loopback bus: nothing leaves the process.
import pg from 'pg';
import type { Logger } from '../logger';

export type BusHandler = (message: unknown) => void;

export interface FleetBus {
  publish(channel: string, message: unknown): Promise<void>;
  subscribe(channel: string, handler: BusHandler): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** PostgreSQL allows 8000 bytes per NOTIFY payload; bigger messages are refused before sending. */
export const MAX_NOTIFY_BYTES = 7900;

/** In-process bus: a fleet of one, and unit tests. */
export class LoopbackBus implements FleetBus {
  private handlers = new Map<string, Set<BusHandler>>();
  async publish(channel: string, message: unknown) {
    const copy = JSON.parse(JSON.stringify(message));
    for (const h of this.handlers.get(channel) ?? []) queueMicrotask(() => h(copy));
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
 * every channel listened again); NOTIFY goes through a small pool.
 */
export class PgBus implements FleetBus {
  private listener: pg.Client | null = null;
  private readonly pool: pg.Pool;
  private handlers = new Map<string, Set<BusHandler>>();
  private closed = false;
  private connecting: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly url: string,
    private readonly log: Logger,
  ) {
    this.pool = new pg.Pool({ connectionString: url, max: 2, idleTimeoutMillis: 10_000 });
    this.pool.on('error', (err) => this.log.warn({ err }, 'fleet bus pool error'));
  }

  private connect(): Promise<void> {
    this.connecting ??= (async () => {
      const client = new pg.Client({ connectionString: this.url });
      client.on('notification', (n) => {
        if (!n.payload) return;
        let message: unknown;
        try {
          message = JSON.parse(n.payload);
        } catch {
          return;
        }
        for (const h of this.handlers.get(n.channel) ?? []) {
          try {
            h(message);
          } catch (err) {
            this.log.error({ err, channel: n.channel }, 'fleet bus handler failed');
          }
        }
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

  async publish(channel: string, message: unknown) {
    const payload = JSON.stringify(message);
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
export function packMessages<T>(items: T[], maxBytes = MAX_NOTIFY_BYTES - 100): T[][] {
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
