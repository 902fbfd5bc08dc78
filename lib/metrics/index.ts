// Prometheus metrics: per-phone gauges read from the manager at scrape time, and totals counted
// from engine events.
import { tokenFailures } from '../auth/auth-metrics';
import client from 'prom-client';
import type { SessionManager } from '../sessions/manager';
import { DECRYPT_FAILURE_KINDS, HEALTH_LEVELS, type DecryptFailureKind } from '../sessions/types';
import { openStreams } from '../stream/sse';
import { CONTAINED_KINDS } from '../sessions/contained-kinds';
import { processCounter } from './process-counter';
import { busDrops } from '../fleet/bus';
import { DROP_REASONS } from '../fleet/bus-seal';
import { lastObjectiveCheck } from '../health/objective';
import { getConfig } from '../config';
import type { Traffic } from '../messages/traffic';
import { FAILURE_CODES } from '../messages/vocabulary';
import { SESSION_CLOSED_CODES, sessionClosedPayload } from '../webhooks/outbox';

/** Every decryption failure kind, as the label value metrics use (snake_case, one spelling everywhere). */
export const DECRYPT_KINDS = DECRYPT_FAILURE_KINDS;
export const kindLabel = (kind: DecryptFailureKind) => kind.replace(/-/g, '_');

/**
 * prom-client's default Node metrics include three gauges named `*_total` (active handles,
 * requests, resources: sums of the per-type gauges that stay). promtool rejects a non-counter
 * named `_total`, so they are not exported.
 */
const DROPPED_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export interface Metrics {
  registry: client.Registry;
  decryptFailures: client.Counter<'kind'>;
  phonesWithoutSocket: client.Gauge<string>;
  autoCloses: client.Counter<string>;
  closes: client.Counter<'code'>;
  restarts: client.Counter<string>;
  reconnects: client.Counter<string>;
  webhookFailures: client.Counter<string>;
  webhookGiveUps: client.Counter<string>;
}

/** What the webhook outbox holds, by status; set by the webhook worker (lib/boot/subscribers.ts). */
let webhookBacklog: (() => Promise<{ pending: number; failed: number }>) | null = null;
export function setWebhookBacklogSource(source: typeof webhookBacklog) {
  webhookBacklog = source;
}

/** The message traffic of phones (lib/messages/traffic.ts, from the database); set by lib/boot/subscribers.ts. */
let trafficSource: ((phoneIds: number[]) => Promise<Map<number, Traffic>>) | null = null;
export function setTrafficSource(source: typeof trafficSource) {
  trafficSource = source;
}

const holder = globalThis as unknown as { __metrics?: Metrics };

export function getMetrics(manager: SessionManager): Metrics {
  if (holder.__metrics) return holder.__metrics;
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'wa_console_' });
  for (const name of DROPPED_DEFAULTS) registry.removeSingleMetric(`wa_console_${name}`);
  const phoneLabels = ['phone_id', 'phone_jid'] as const;
  // Per-phone gauges come from the phone's owner only (this node's sessions, not the fleet's live
  // view): summed over the nodes of a fleet, each phone counts once.
  // One series per phone (plus `extra` labels) from `read`'s rows; `each` sets a row's values.
  type PhoneRow<T> = { phoneId: number; phoneJid: string; of: T };
  const perPhoneGauge = <T, E extends string>(
    read: () => PhoneRow<T>[] | Promise<PhoneRow<T>[]>,
    name: string,
    help: string,
    extra: readonly E[],
    each: (of: T, set: (labels: Record<E, string>, value: number) => void) => void,
  ) =>
    new client.Gauge({
      name,
      help,
      labelNames: [...phoneLabels, ...extra],
      registers: [registry],
      async collect() {
        const rows = await read();
        this.reset();
        for (const r of rows) each(r.of, (labels, value) => this.set({ phone_id: String(r.phoneId), phone_jid: r.phoneJid, ...labels }, value));
      },
    });
  const localSessions = () => manager.localSnapshots().map((s) => ({ phoneId: s.phoneId, phoneJid: s.phoneJid, of: s }));
  perPhoneGauge(localSessions, 'wa_session_connected', '1 when the phone session is open', [], (s, set) => set({}, s.isConnected ? 1 : 0));
  perPhoneGauge(localSessions, 'wa_session_decrypt_errors', 'Current counted decryption errors per phone (reset on start and close)', ['kind'], (s, set) => {
    set({ kind: kindLabel('bad-mac') }, s.stats.badMacErrors);
    set({ kind: kindLabel('bad-decrypt') }, s.stats.badDecryptErrors);
  });
  perPhoneGauge(localSessions, 'wa_session_health', '1 for the phone session health level it is in', ['level'], (s, set) => {
    for (const level of HEALTH_LEVELS) set({ level }, s.health === level ? 1 : 0);
  });
  perPhoneGauge(localSessions, 'wa_session_unresponsive', '1 when the phone is open but its liveness probe got no answer PROBE_FAILURES times in a row', [], (s, set) => {
    if (s.isConnected) set({}, s.healthReason === 'unresponsive' ? 1 : 0);
  });
  perPhoneGauge(localSessions, 'wa_phone_uptime_ratio', 'Uptime over the last 7 days (0..1) at the last health check: time open / time meant to run', [], (s, set) => {
    const uptime = lastObjectiveCheck()?.uptimes.get(s.phoneId);
    if (uptime !== undefined && uptime !== null) set({}, uptime);
  });
  new client.Gauge({
    name: 'wa_phones_below_uptime_objective',
    help: "This node's phones whose 7-day uptime is below UPTIME_OBJECTIVE at the last health check",
    registers: [registry],
    collect() {
      const last = lastObjectiveCheck();
      let n = 0;
      if (last) for (const s of manager.localSnapshots()) if (last.below.has(s.phoneId)) n++;
      this.set(n);
    },
  });
  new client.Gauge({
    name: 'wa_uptime_objective_ratio',
    help: 'UPTIME_OBJECTIVE as a ratio (0..1), for alert rules against wa_phone_uptime_ratio',
    registers: [registry],
    collect() {
      this.set(getConfig().UPTIME_OBJECTIVE / 100);
    },
  });
  perPhoneGauge(localSessions, 'wa_session_proxy_info', '1 per phone that connects through a proxy, labelled with the proxy host:port (never credentials)', ['proxy_host'], (s, set) => {
    if (s.proxyHost) set({ proxy_host: s.proxyHost }, 1);
  });
  new client.Counter({
    name: 'wa_fleet_bus_dropped_total',
    help: 'Fleet bus messages refused: not sealed with the fleet key, altered, replayed, too old, or not a valid message',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const reason of DROP_REASONS) this.inc({ reason }, busDrops.get(reason) ?? 0);
    },
  });
  new client.Gauge({
    name: 'wa_console_sse_clients',
    help: 'Open event-stream connections (and engine subscriptions they hold)',
    registers: [registry],
    collect() {
      this.set(openStreams());
    },
  });
  new client.Gauge({
    name: 'wa_console_engine_listeners',
    help: 'Subscribers of the session engine event bus',
    registers: [registry],
    collect() {
      this.set(manager.bus.listenerCount + manager.viewBus.listenerCount); // the event stream listens on the fleet-wide view
    },
  });
  new client.Gauge({
    name: 'wa_webhook_deliveries',
    help: 'Webhook deliveries in the outbox by status: pending (waiting or retrying) and failed (given up). The outbox is shared, so every node reports the fleet-wide number',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      this.reset();
      const backlog = await webhookBacklog?.().catch(() => null);
      if (!backlog) return;
      this.set({ status: 'pending' }, backlog.pending);
      this.set({ status: 'failed' }, backlog.failed);
    },
  });
  // Message traffic of this node's phones (the owner's only, like the gauges above), read once per
  // scrape for the four gauges below. Labels: the phone's, plus direction (in|out), code (one of
  // FAILURE_CODES) or percentile (p50|p99): bounded by the phones this node runs.
  let scrape: { at: number; figures: Promise<{ phones: { phoneId: number; phoneJid: string }[]; traffic: Map<number, Traffic> } | null> } | null = null;
  const localTraffic = () => {
    if (scrape && Date.now() - scrape.at < 1000) return scrape.figures;
    const phones = manager.localSnapshots().map((s) => ({ phoneId: s.phoneId, phoneJid: s.phoneJid }));
    const figures = trafficSource && phones.length ? trafficSource(phones.map((p) => p.phoneId)).then((traffic) => ({ phones, traffic })).catch(() => null) : Promise.resolve(null);
    scrape = { at: Date.now(), figures };
    return figures;
  };
  const localTrafficRows = async () => {
    const figures = await localTraffic();
    return (figures?.phones ?? []).flatMap((p) => {
      const t = figures?.traffic.get(p.phoneId);
      return t ? [{ ...p, of: t }] : [];
    });
  };
  perPhoneGauge(
    localTrafficRows,
    'wa_phone_messages_per_minute',
    'Messages in the last minute per phone: direction="in" received, direction="out" acknowledged by WhatsApp (sent)',
    ['direction'],
    (t, set) => {
      set({ direction: 'in' }, t.inPerMinute);
      set({ direction: 'out' }, t.outPerMinute);
    },
  );
  perPhoneGauge(localTrafficRows, 'wa_phone_message_failures', 'Outbound messages that failed in the last hour per phone, by failure code', ['code'], (t, set) => {
    for (const code of FAILURE_CODES) set({ code }, t.failuresByCode[code] ?? 0);
  });
  perPhoneGauge(
    localTrafficRows,
    'wa_phone_message_ack_seconds',
    // `percentile`, not `quantile`: promtool reserves that label for summaries.
    "Submit → WhatsApp's server ack per phone over the messages acked in the last hour (percentile p50 and p99; absent without any)",
    ['percentile'],
    (t, set) => {
      if (!t.ackLatencyMs) return;
      set({ percentile: 'p50' }, t.ackLatencyMs.p50 / 1000);
      set({ percentile: 'p99' }, t.ackLatencyMs.p99 / 1000);
    },
  );
  perPhoneGauge(localTrafficRows, 'wa_phone_last_message_received_timestamp_seconds', 'When the phone last received a message (Unix time; absent if never)', [], (t, set) => {
    if (t.lastReceivedAt) set({}, Date.parse(t.lastReceivedAt) / 1000);
  });
  const metrics: Metrics = {
    registry,
    decryptFailures: new client.Counter({ name: 'wa_decrypt_failures_total', help: 'Decryption failures by kind', labelNames: ['kind'], registers: [registry] }),
    phonesWithoutSocket: new client.Gauge({
      name: 'wa_monitor_connected_without_socket',
      help: 'Phones the database calls connected that had no live socket in the fleet at the last health check. Every node checks every phone, so every node reports the fleet-wide number',
      registers: [registry],
    }),
    autoCloses: new client.Counter({ name: 'wa_session_auto_closes_total', help: 'Sessions closed automatically at an error limit', registers: [registry] }),
    closes: new client.Counter({ name: 'wa_session_closes_total', help: 'Phones stopped because WhatsApp closed them, by close-reason code (lib/sessions/reasons.ts)', labelNames: ['code'], registers: [registry] }),
    restarts: new client.Counter({ name: 'wa_session_restarts_total', help: 'Session restarts', registers: [registry] }),
    reconnects: new client.Counter({ name: 'wa_session_reconnects_total', help: 'Reconnect attempts after a lost connection', registers: [registry] }),
    webhookFailures: new client.Counter({ name: 'wa_webhook_failures_total', help: 'Failed webhook delivery attempts', registers: [registry] }),
    webhookGiveUps: new client.Counter({ name: 'wa_webhook_given_up_total', help: 'Webhook deliveries this node gave up (retried for WEBHOOK_RETRY_FOR_MS or WEBHOOK_MAX_ATTEMPTS)', registers: [registry] }),
  };
  // Every known label value exists from the start, so rate() shows 0 instead of nothing.
  for (const kind of DECRYPT_KINDS) metrics.decryptFailures.inc({ kind: kindLabel(kind) }, 0);
  for (const code of SESSION_CLOSED_CODES) metrics.closes.inc({ code }, 0);
  manager.subscribe((e) => {
    if (e.type === 'decrypt-failure') metrics.decryptFailures.inc({ kind: kindLabel(e.kind) });
    else if (e.type === 'auto-closed') metrics.autoCloses.inc();
    else if (e.type === 'state') {
      const closed = sessionClosedPayload(e);
      if (closed) metrics.closes.inc({ code: closed.code });
    }
    else if (e.type === 'restart') metrics.restarts.inc();
    else if (e.type === 'reconnect') metrics.reconnects.inc();
  });
  registry.registerMetric(containedRejections());
  registry.registerMetric(tokenFailures());
  holder.__metrics = metrics;
  return metrics;
}

/** Known Baileys/libsignal rejections the process guard contained, by kind (each kind starts at 0). */
export const containedRejections = (): client.Counter<'kind'> =>
  processCounter(
    'wa_console_contained_rejections_total',
    'Unawaited rejections Baileys is known to leave, contained by the process guard (anything else exits)',
    'kind',
    CONTAINED_KINDS,
  );

/** For tests: the next getMetrics() builds a new registry for the manager it is given. */
export function resetMetrics(): void {
  holder.__metrics = undefined;
}
