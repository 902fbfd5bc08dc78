// The alerter: feeds engine, health and fleet signals to the rules (policy.ts), records what they
// open and resolve (store.ts), and sends the notices through the channels (channels.ts), batched:
// notices are collected for `batchMs`, then each audience gets one message per notice or, above
// `digestThreshold`, one digest. Effects (store, channels, clock) are injected.
import type { HealthEvent } from '../health/events';
import type { Logger } from '../logger';
import type { SessionEngineEvent } from '../sessions/types';
import type { AlertChannel, ChannelName } from './channels';
import { AlertRules, byAudience, planMessages, type AlertChange, type AlertSignal, type Audience, type Notice } from './policy';
import { incidentView, type IncidentStore } from './store';

export interface AlerterSettings {
  /** ALERT_CRITICAL_AFTER_MS */
  criticalAfterMs: number;
  /** ALERT_DIGEST_THRESHOLD: more notices than this at once → one digest per audience */
  digestThreshold: number;
  /** ALERT_BATCH_MS: how long notices are collected before they go out */
  batchMs: number;
}

export interface AlerterDeps {
  store: IncidentStore;
  channels: AlertChannel[];
  settings: AlerterSettings;
  log: Logger;
  /** the organization of a phone this node runs (engine events do not carry it) */
  organizationOf: (phoneId: number) => number | null;
  now?: () => number;
}

export type TestResult = Record<ChannelName, 'sent' | 'no_recipients' | 'failed' | 'not_configured'>;

/** A batch goes out at the latest this many `batchMs` after its first notice. */
export const MAX_BATCH_WAITS = 3;

export class Alerter {
  private readonly rules: AlertRules;
  private chain: Promise<void> = Promise.resolve();
  private batch: Notice[] = [];
  private batchStartMs = 0;
  private batchTimer: ReturnType<typeof setTimeout> | null = null;
  private dueTimer: ReturnType<typeof setTimeout> | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly deps: AlerterDeps) {
    this.rules = new AlertRules({ criticalAfterMs: deps.settings.criticalAfterMs });
    this.now = deps.now ?? Date.now;
  }

  onEngineEvent(event: SessionEngineEvent) {
    this.observe({ type: 'engine', event, organizationId: this.deps.organizationOf(event.phoneId) });
  }

  onHealthEvent(event: HealthEvent) {
    this.observe({ type: 'health', event });
  }

  /** The fleet's nodes: lost (lease ran out without a drain) and live. */
  onFleetNodes(lost: string[], live: string[]) {
    this.observe({ type: 'fleet-nodes', lost, live, atMs: this.now() });
  }

  observe(signal: AlertSignal) {
    if (this.stopped) return;
    this.enqueue(this.rules.observe(signal));
    this.armDue();
  }

  private enqueue(changes: AlertChange[]) {
    if (!changes.length) return;
    this.chain = this.chain.then(async () => {
      for (const change of changes) {
        try {
          await this.apply(change);
        } catch (err) {
          this.deps.log.error({ err, change: change.op === 'open' ? change.incident.key : change.key }, 'alert change not recorded');
        }
      }
    });
  }

  private armDue() {
    const next = this.rules.nextDueMs();
    if (this.dueTimer) clearTimeout(this.dueTimer);
    this.dueTimer = null;
    if (next === null || this.stopped) return;
    this.dueTimer = setTimeout(() => {
      this.dueTimer = null;
      this.enqueue(this.rules.due(this.now()));
      this.armDue();
    }, Math.max(0, next - this.now()));
    this.dueTimer.unref();
  }

  private async apply(change: AlertChange) {
    const { store } = this.deps;
    if (change.op === 'open') {
      const row = await store.open(change.incident);
      if (!row) return; // already open: one alert per incident
      if (row.phoneId !== null && (await store.muted([row.phoneId], new Date(this.now()))).has(row.phoneId)) {
        this.deps.log.info({ incident: row.id, kind: row.kind, phoneId: row.phoneId }, 'alert muted');
        return;
      }
      this.deps.log.warn({ incident: row.id, kind: row.kind, phoneId: row.phoneId, nodeId: row.nodeId }, 'alert');
      this.push({ phase: 'firing', incident: incidentView(row) });
      return;
    }
    await this.flushing; // a notice being sent now is marked sent before its incident may end
    const row = await store.resolve(change.key, change.atMs);
    if (!row) return;
    const waiting = this.batch.findIndex((n) => n.phase === 'firing' && n.incident.id === row.id);
    if (waiting >= 0) {
      // Opened and resolved within one batch: nobody was told, so nobody needs to hear it ended.
      this.batch.splice(waiting, 1);
      return;
    }
    if (!row.notifiedAt) return;
    this.push({ phase: 'resolved', incident: incidentView(row) });
  }

  /**
   * Adds a notice to the batch. The batch goes out once no notice came for `batchMs` (so a storm
   * that lasts a while is still one digest), and at the latest `MAX_BATCH_WAITS × batchMs` after
   * its first notice (a storm that never ends still reports).
   */
  private push(notice: Notice) {
    const now = this.now();
    if (!this.batch.length) this.batchStartMs = now;
    this.batch.push(notice);
    if (this.batchTimer) clearTimeout(this.batchTimer);
    const { batchMs } = this.deps.settings;
    const at = Math.min(now + batchMs, this.batchStartMs + MAX_BATCH_WAITS * batchMs);
    this.batchTimer = setTimeout(() => {
      this.batchTimer = null;
      this.flushing = this.flushing.then(() => this.flush());
    }, Math.max(0, at - now));
    this.batchTimer.unref();
  }

  /** Sends what the batch holds: per audience one message per notice, or one digest. */
  private async flush() {
    const taken = this.batch;
    this.batch = [];
    const notices = await this.stillWanted(taken);
    if (!notices.length) return;
    const delivered = new Set<Notice>();
    for (const { audience, notices: group } of byAudience(notices)) {
      for (const message of planMessages(group, this.deps.settings.digestThreshold)) {
        const sent = await this.sendAll(audience, message);
        if (sent) for (const n of message.kind === 'single' ? [message.notice] : message.kind === 'digest' ? message.notices : []) delivered.add(n);
      }
    }
    const at = new Date(this.now());
    const ids = (phase: Notice['phase']) => [...delivered].filter((n) => n.phase === phase).map((n) => n.incident.id);
    await this.deps.store.markNotified(ids('firing'), at).catch((err) => this.deps.log.error({ err }, 'alert not marked as sent'));
    await this.deps.store.markResolvedNotified(ids('resolved'), at).catch((err) => this.deps.log.error({ err }, 'alert not marked as sent'));
  }

  /**
   * What an operator did while the batch waited: a phone muted since sends nothing (firing or
   * resolved), and an incident acknowledged since does not announce itself. When the database
   * cannot say, the notices go out (better an alert too many than a lost one).
   */
  private async stillWanted(notices: Notice[]): Promise<Notice[]> {
    if (!notices.length) return notices;
    try {
      const at = new Date(this.now());
      const phoneIds = [...new Set(notices.map((n) => n.incident.phoneId).filter((id): id is number => id !== null))];
      const muted = await this.deps.store.muted(phoneIds, at);
      const acknowledged = await this.deps.store.acknowledged(notices.filter((n) => n.phase === 'firing').map((n) => n.incident.id));
      const kept = notices.filter((n) => !(n.incident.phoneId !== null && muted.has(n.incident.phoneId)) && !(n.phase === 'firing' && acknowledged.has(n.incident.id)));
      if (kept.length < notices.length) this.deps.log.info({ dropped: notices.length - kept.length }, 'alerts not sent: muted or acknowledged meanwhile');
      return kept;
    } catch (err) {
      this.deps.log.warn({ err }, 'mutes and acknowledgements not checked; sending');
      return notices;
    }
  }

  /** true when at least one channel took the message for that audience. */
  private async sendAll(audience: Audience, message: Parameters<AlertChannel['send']>[1]): Promise<boolean> {
    let any = false;
    for (const channel of this.deps.channels) {
      try {
        if (await channel.send(audience, message)) any = true;
      } catch (err) {
        this.deps.log.error({ err, channel: channel.name, audience: audience.scope }, 'alert not sent');
      }
    }
    return any;
  }

  /** "Send a test alert": one test message to the audience through every channel, with each outcome. */
  async sendTest(audience: Audience): Promise<TestResult> {
    const result: TestResult = { email: 'not_configured', webhook: 'not_configured' };
    for (const channel of this.deps.channels) {
      try {
        result[channel.name] = (await channel.send(audience, { kind: 'test', atMs: this.now() })) ? 'sent' : 'no_recipients';
      } catch (err) {
        this.deps.log.error({ err, channel: channel.name }, 'test alert not sent');
        result[channel.name] = 'failed';
      }
    }
    return result;
  }

  /** For tests and shutdown: every change recorded and the current batch sent. */
  async idle() {
    await this.chain;
    if (this.batchTimer) {
      clearTimeout(this.batchTimer);
      this.batchTimer = null;
      this.flushing = this.flushing.then(() => this.flush());
    }
    await this.flushing;
  }

  stop() {
    this.stopped = true;
    if (this.dueTimer) clearTimeout(this.dueTimer);
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.dueTimer = this.batchTimer = null;
  }
}
