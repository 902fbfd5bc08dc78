// The alert rules: pure policy, no I/O and no clock (the caller passes `nowMs`), so every rule is
// unit-tested without sockets, databases or mail. Three parts:
// - `AlertRules.observe(signal)`: what an engine, health or fleet signal opens or resolves;
// - `AlertRules.due(nowMs)`: rules that need time (a phone critical for longer than N minutes);
// - `planMessages(notices, threshold)`: one message per notice, or one digest when more than
//   `threshold` notices go to the same recipients at once (a storm sends one mail, not 500).
import type { HealthEvent } from '../health/events';
import type { CloseReason } from '../sessions/reasons';
import type { SessionEngineEvent, SessionState } from '../sessions/types';

/** Every kind of incident, typed once (the UI's words live in lib/ui/i18n: `alerts.kind.*`). */
export const ALERT_KINDS = ['critical', 'auto_closed', 'logged_out', 'banned', 'restricted', 'unresponsive', 'below_objective', 'node_lost'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** Kinds that describe why a phone stopped: all of them clear when the phone is open again. */
const CLOSE_KINDS: readonly AlertKind[] = ['auto_closed', 'logged_out', 'banned', 'restricted'];

export interface AlertRuleSettings {
  /** a phone whose health stays `critical` this long opens a `critical` incident (ALERT_CRITICAL_AFTER_MS) */
  criticalAfterMs: number;
}

/** One incident to open: `key` is its identity (one open incident per key). */
export interface IncidentSpec {
  key: string;
  kind: AlertKind;
  phoneId: number | null;
  phoneJid: string | null;
  organizationId: number | null;
  nodeId: string | null;
  /** what happened, in the engine's words (a close reason, "critical for 10 min (Bad MAC 2/3)") */
  reason: string;
  atMs: number;
}

export type AlertChange = { op: 'open'; incident: IncidentSpec } | { op: 'resolve'; key: string; atMs: number };

/** The fleet as the alert rules see it: nodes whose lease ran out without a drain, and live ones. */
export interface FleetNodesSignal {
  type: 'fleet-nodes';
  lost: string[];
  live: string[];
  atMs: number;
}

/** Everything the rules observe. Engine and health events are taken as they are emitted. */
export type AlertSignal = { type: 'engine'; event: SessionEngineEvent; organizationId: number | null } | { type: 'health'; event: HealthEvent } | FleetNodesSignal;

export const phoneKey = (phoneId: number, kind: AlertKind) => `phone:${phoneId}:${kind}`;
export const nodeKey = (nodeId: string) => `node:${nodeId}:node_lost`;

/**
 * Which close is alert-worthy, from the engine's close-reason catalogue (lib/sessions/reasons.ts):
 * logged out by WhatsApp (401), banned (402/403/406), restricted (463). Closes an operator or the
 * console asked for, reconnect give-ups, replaced connections and the decryption auto-close (its
 * own `auto-closed` event) are not these kinds.
 */
export function closeKind(state: SessionState, closeReason: CloseReason | undefined): AlertKind | null {
  if ((state !== 'closed' && state !== 'logged_out') || !closeReason) return null;
  switch (closeReason.code) {
    case 'logged_out':
    case 'banned':
    case 'restricted':
      return closeReason.code;
    default:
      return null;
  }
}

const toMs = (iso: string) => Date.parse(iso);

interface CriticalWatch {
  sinceMs: number;
  phoneJid: string;
  organizationId: number | null;
  /** an incident was opened for this stretch */
  opened: boolean;
}

/**
 * The rules' memory: which phones are critical since when (the only rule that needs time).
 * Everything else is decided from the signal alone; duplicates are the store's job (one open
 * incident per key), so observing the same event twice opens one incident.
 */
export class AlertRules {
  private critical = new Map<number, CriticalWatch>();

  constructor(private readonly settings: AlertRuleSettings) {}

  observe(signal: AlertSignal): AlertChange[] {
    if (signal.type === 'fleet-nodes') {
      return [
        ...signal.lost.map((nodeId): AlertChange => ({
          op: 'open',
          incident: { key: nodeKey(nodeId), kind: 'node_lost', phoneId: null, phoneJid: null, organizationId: null, nodeId, reason: `Node ${nodeId} stopped renewing its lease`, atMs: signal.atMs },
        })),
        ...signal.live.map((nodeId): AlertChange => ({ op: 'resolve', key: nodeKey(nodeId), atMs: signal.atMs })),
      ];
    }
    if (signal.type === 'health') return this.health(signal.event);
    return this.engine(signal.event, signal.organizationId);
  }

  private phoneIncident(e: { phoneId: number; phoneJid: string }, organizationId: number | null, kind: AlertKind, reason: string, atMs: number): AlertChange {
    return { op: 'open', incident: { key: phoneKey(e.phoneId, kind), kind, phoneId: e.phoneId, phoneJid: e.phoneJid, organizationId, nodeId: null, reason, atMs } };
  }

  private health(e: HealthEvent): AlertChange[] {
    const atMs = toMs(e.at);
    switch (e.type) {
      case 'phone-unresponsive': {
        const reason = e.afterRestart
          ? `Unresponsive: ${e.failures} probes failed in a row, still after a restart`
          : `Unresponsive: ${e.failures} probes failed in a row${e.restarting ? ' (restarting it)' : ''}`;
        return [this.phoneIncident(e, e.organizationId, 'unresponsive', reason, atMs)];
      }
      case 'phone-recovered':
        return [{ op: 'resolve', key: phoneKey(e.phoneId, 'unresponsive'), atMs }];
      case 'below-objective': {
        const pct = (n: number) => `${(n * 100).toFixed(2).replace(/\.?0+$/, '')} %`;
        return [this.phoneIncident(e, e.organizationId, 'below_objective', `Uptime ${pct(e.uptime)} over ${e.windowDays} d, below the objective of ${pct(e.objective)}`, atMs)];
      }
      case 'objective-met':
        return [{ op: 'resolve', key: phoneKey(e.phoneId, 'below_objective'), atMs }];
    }
  }

  private engine(e: SessionEngineEvent, organizationId: number | null): AlertChange[] {
    const atMs = toMs(e.at);
    switch (e.type) {
      case 'auto-closed':
        return [this.phoneIncident(e, organizationId, 'auto_closed', e.reason, atMs)];
      case 'stats':
        // A banned or restricted phone is critical too, but its close already opened its own incident.
        return e.health === 'critical' && e.healthReason !== 'banned' && e.healthReason !== 'restricted' ? this.startCritical(e, organizationId, atMs) : this.endCritical(e.phoneId, atMs);
      case 'state': {
        const changes: AlertChange[] = [];
        if (e.state === 'open') changes.push(...CLOSE_KINDS.map((kind): AlertChange => ({ op: 'resolve', key: phoneKey(e.phoneId, kind), atMs })));
        else if (e.state !== 'connecting' && e.state !== 'qr') changes.push(...this.endCritical(e.phoneId, atMs));
        const kind = closeKind(e.state, e.closeReason);
        if (kind) changes.push(this.phoneIncident(e, organizationId, kind, e.reason ?? kind, atMs));
        return changes;
      }
      default:
        return [];
    }
  }

  private startCritical(e: { phoneId: number; phoneJid: string }, organizationId: number | null, atMs: number): AlertChange[] {
    if (!this.critical.has(e.phoneId)) this.critical.set(e.phoneId, { sinceMs: atMs, phoneJid: e.phoneJid, organizationId, opened: false });
    return [];
  }

  private endCritical(phoneId: number, atMs: number): AlertChange[] {
    const watch = this.critical.get(phoneId);
    if (!watch) return [];
    this.critical.delete(phoneId);
    return watch.opened ? [{ op: 'resolve', key: phoneKey(phoneId, 'critical'), atMs }] : [];
  }

  /** The time-based rules at `nowMs`: phones critical for longer than the setting open an incident. */
  due(nowMs: number): AlertChange[] {
    const changes: AlertChange[] = [];
    for (const [phoneId, w] of this.critical) {
      if (w.opened || nowMs - w.sinceMs < this.settings.criticalAfterMs) continue;
      w.opened = true;
      const minutes = Math.round((nowMs - w.sinceMs) / 60_000);
      changes.push({
        op: 'open',
        incident: { key: phoneKey(phoneId, 'critical'), kind: 'critical', phoneId, phoneJid: w.phoneJid, organizationId: w.organizationId, nodeId: null, reason: `Critical for ${minutes} min (the next decryption failure closes it)`, atMs: nowMs },
      });
    }
    return changes;
  }

  /** When `due` next has something to do (null: nothing is waiting). */
  nextDueMs(): number | null {
    let next: number | null = null;
    for (const w of this.critical.values()) {
      if (w.opened) continue;
      const at = w.sinceMs + this.settings.criticalAfterMs;
      if (next === null || at < next) next = at;
    }
    return next;
  }

  /** Forget a phone (deleted, or now run by another node). */
  forget(phoneId: number) {
    this.critical.delete(phoneId);
  }
}

// ---------------------------------------------------------------------------------------------
// Messages: what goes to one set of recipients.

/** An incident as the messages show it. */
export interface IncidentView {
  id: number;
  kind: AlertKind;
  phoneId: number | null;
  phoneJid: string | null;
  organizationId: number | null;
  nodeId: string | null;
  reason: string | null;
  openedAt: string;
  resolvedAt: string | null;
}

export type NoticePhase = 'firing' | 'resolved';

export interface Notice {
  phase: NoticePhase;
  incident: IncidentView;
}

export type AlertMessage = { kind: 'single'; notice: Notice } | { kind: 'digest'; notices: Notice[] } | { kind: 'test'; atMs: number };

/**
 * The messages for one set of recipients: one per notice, or, when more than `threshold` notices
 * go out at once, one digest with all of them (firing first, then resolved).
 */
export function planMessages(notices: Notice[], threshold: number): AlertMessage[] {
  if (notices.length > threshold) {
    const order = (n: Notice) => (n.phase === 'firing' ? 0 : 1);
    return [{ kind: 'digest', notices: [...notices].sort((a, b) => order(a) - order(b) || a.incident.id - b.incident.id) }];
  }
  return notices.map((notice) => ({ kind: 'single', notice }));
}

/**
 * Who a notice goes to: everyone who gets every alert (`global`: ALERT_EMAIL_TO, ERROR_WEBHOOK_URL)
 * and the phone's organization (its own recipients and webhook), when it has one.
 */
export type Audience = { scope: 'global' } | { scope: 'organization'; organizationId: number };

export const audienceKey = (a: Audience) => (a.scope === 'global' ? 'global' : `org:${a.organizationId}`);

/** Groups notices by audience: every notice goes to `global`, and to its organization if any. */
export function byAudience(notices: Notice[]): { audience: Audience; notices: Notice[] }[] {
  const groups = new Map<string, { audience: Audience; notices: Notice[] }>();
  const add = (audience: Audience, n: Notice) => {
    const k = audienceKey(audience);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { audience, notices: [] }));
    g.notices.push(n);
  };
  for (const n of notices) {
    add({ scope: 'global' }, n);
    if (n.incident.organizationId !== null) add({ scope: 'organization', organizationId: n.incident.organizationId }, n);
  }
  return [...groups.values()];
}
