// A node's liveness lock (PostgreSQL): a session-level advisory lock held for the node instance's
// whole life on a connection of its own. PostgreSQL releases it the moment that session ends (the
// process died: the kernel closed its socket; or the connection was reset), which is the evidence
// of death the other nodes act on at once (sql.ts `alive`). The other half: when this connection
// fails, the node closes its WhatsApp sockets at once (fleet.ts), so a lock that is gone never
// stands for a node still running phones. A silently cut connection is not seen by PostgreSQL
// either: the lock stays, and the lease rule applies.
import pg from 'pg';
import type { Logger } from '../logger';
import { FleetSql } from './sql';

export class NodeLock {
  private client: pg.Client | null = null;
  private lostHandler: ((why: string) => void) | null = null;
  private held = false;

  constructor(
    private readonly url: string,
    private readonly log: Logger,
    /** a ping of this connection that takes longer counts as a lost connection */
    private readonly pingTimeoutMs: number,
  ) {}

  /** Called once when the held lock's connection fails (not when `release` ends it). */
  onLost(handler: (why: string) => void) {
    this.lostHandler = handler;
  }

  get isHeld() {
    return this.held;
  }

  /** Takes the lock of one node instance on a new connection (the key is unique per instance, so it is free). */
  async acquire(nodeId: string, instance: string): Promise<void> {
    await this.release();
    const client = new pg.Client({
      connectionString: this.url,
      keepAlive: true,
      application_name: `wa-console fleet lock ${nodeId}`,
      // This session sits idle for the node's whole life: a server-wide idle limit must not end it.
      options: '-c idle_session_timeout=0 -c idle_in_transaction_session_timeout=0 -c statement_timeout=0',
    });
    const lost = (why: string) => {
      if (this.client !== client || !this.held) return;
      this.held = false;
      this.client = null;
      client.end().catch(() => {});
      this.lostHandler?.(why);
    };
    client.on('error', (err) => lost(err.message));
    client.on('end', () => lost('connection closed'));
    await client.connect();
    const s = new FleetSql('postgresql').takeNodeLock(nodeId, instance);
    const { rows } = await client.query<{ ok: boolean }>(s.sql, s.params);
    if (!rows[0]?.ok) {
      await client.end().catch(() => {});
      throw new Error(`could not take the liveness lock of ${nodeId}`);
    }
    this.client = client;
    this.held = true;
    this.log.debug({ nodeId }, 'liveness lock taken');
  }

  /**
   * Checks the connection answers within the ping timeout; a failure or a timeout counts as the
   * lock lost (a connection cut on the node's side only, or one that hangs).
   */
  async ping(): Promise<void> {
    const client = this.client;
    if (!client || !this.held) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.pingTimeoutMs} ms`)), this.pingTimeoutMs);
    });
    try {
      await Promise.race([client.query('SELECT 1'), timeout]);
    } catch (err) {
      if (this.client === client && this.held) {
        this.held = false;
        this.client = null;
        // Ends the session when it still can, so the lock's state matches what this node does.
        client.end().catch(() => {});
        (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
        this.lostHandler?.((err as Error).message);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** Ends the lock's session (a drain, a close): not reported as lost. */
  async release(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.held = false;
    if (client) await client.end().catch(() => {});
  }
}
