// Everything that listens to the session engine, started once per process: metrics, webhooks,
// alerts, the periodic health monitor and the liveness probe.
import { createAlerter, type Alerter } from '../alerts';
import { watchFleetNodes } from '../alerts/fleet-watch';
import { OutboundPolicy } from '../http/outbound-guard';
import { getConfig, type Config } from '../config';
import { getDb, providerOf } from '../db/client';
import { getLogger } from '../logger';
import { getMetrics, setTrafficSource, setWebhookBacklogSource } from '../metrics';
import { readTraffic } from '../messages/traffic';
import { startMonitor } from '../health/monitor';
import { Prober } from '../health/prober';
import { getHealthEvents } from '../health/events';
import { WebhookNotifier, type WebhookSettings } from '../webhooks/outbox';
import type { SessionManager } from '../sessions/manager';
import { getEventLog } from '../stream/event-log';

interface Subscribers {
  webhooks: WebhookNotifier;
  prober: Prober;
  alerter: Alerter;
  stopMonitor: () => void;
  unsubscribe: () => void;
}

const holder = globalThis as unknown as { __subscribers?: Subscribers };

export function startSubscribers(manager: SessionManager): Subscribers {
  if (holder.__subscribers) return holder.__subscribers;
  const config = getConfig();
  const log = getLogger();
  const metrics = getMetrics(manager);
  // Numbers every engine event for the event stream, whether or not a client is connected.
  const eventLog = getEventLog(config.SSE_BUFFER_SIZE);
  const offLog = manager.subscribeView((e) => eventLog.record(e)); // every phone of the fleet, for the stream
  // Always running: organizations can have their own endpoints even without ERROR_WEBHOOK_URL.
  const webhooks = new WebhookNotifier(
    webhookSettings(config),
    getDb(),
    log.child({ module: 'webhooks' }),
    () => metrics.webhookFailures.inc(),
    () => metrics.webhookGiveUps.inc(),
  ).start();
  setWebhookBacklogSource(() => webhooks.backlog());
  setTrafficSource((phoneIds) => readTraffic(getDb(), phoneIds));
  const offWebhooks = manager.subscribe((e) => webhooks.onEngineEvent(e));
  // Alerts: each node judges the phones it runs (engine and health events are local), and the
  // database keeps one open incident per key across nodes.
  const alerter = createAlerter({ config, db: getDb(), webhooks, log: log.child({ module: 'alerts' }), organizationOf: (id) => manager.snapshot(id)?.organizationId ?? null });
  const offAlertEngine = manager.subscribe((e) => alerter.onEngineEvent(e));
  const offAlertHealth = getHealthEvents().subscribe((e) => alerter.onHealthEvent(e));
  const stopFleetWatch =
    providerOf(config.DATABASE_URL) === 'postgresql'
      ? watchFleetNodes({ db: getDb(), provider: 'postgresql', intervalMs: config.LEASE_TTL_MS, log: log.child({ module: 'alerts' }), onNodes: (lost, live) => alerter.onFleetNodes(lost, live) })
      : () => {};
  // message.received and message.status (with content) to each phone's organization endpoint
  manager.messages.setNotifier({
    prepare: (event, payload, phoneId, when) => webhooks.prepare(event, payload, { phoneId, organizationOnly: true, when }),
    wake: () => webhooks.wake(),
  });
  const unsubscribe = () => {
    offLog();
    offWebhooks();
    manager.messages.setNotifier(null);
    offAlertEngine();
    offAlertHealth();
    stopFleetWatch();
    alerter.stop();
  };
  const stopMonitor = startMonitor({
    db: getDb(),
    manager,
    log: log.child({ module: 'monitor' }),
    intervalMs: config.HEALTH_CHECK_INTERVAL_MS,
    onReport: (report) => webhooks.send(report.type, report),
    onCheck: (phones) => metrics.phonesWithoutSocket.set(phones.filter((p) => !p.isConnected).length),
    objective: { settings: { objective: config.UPTIME_OBJECTIVE / 100, retentionDays: config.HISTORY_RETENTION_DAYS }, events: getHealthEvents() },
  });
  // The liveness probe of this node's open phones (docs/health.md).
  const prober = new Prober({ targets: () => manager.probeTargets(), intervalMs: config.PROBE_INTERVAL_MS, timeoutMs: config.PROBE_TIMEOUT_MS }).start();
  holder.__subscribers = { webhooks, prober, alerter, stopMonitor, unsubscribe };
  return holder.__subscribers;
}

/** The process's webhook notifier (outbox worker), once the subscribers started. */
export function getWebhookNotifier(): WebhookNotifier | null {
  return holder.__subscribers?.webhooks ?? null;
}

/** The process's alerter, once the subscribers started. */
export function getAlerter(): Alerter | null {
  return holder.__subscribers?.alerter ?? null;
}

/**
 * Stops the monitor and the engine subscriptions, waits for queued deliveries (delivered or given
 * up), then stops the outbox worker (tests; the process's shutdown stops the worker without waiting
 * for retries, see boot.ts).
 */
export async function stopSubscribers(): Promise<void> {
  const subs = holder.__subscribers;
  if (!subs) return;
  holder.__subscribers = undefined;
  subs.stopMonitor();
  subs.prober.stop();
  await subs.alerter.idle();
  subs.unsubscribe();
  setWebhookBacklogSource(null);
  await subs.webhooks.idle();
  await subs.webhooks.stop();
}

/** The webhook worker's settings from the configuration (one place for the production wiring and its tests). */
export function webhookSettings(config: Config): WebhookSettings {
  return {
    url: config.ERROR_WEBHOOK_URL,
    secret: config.ERROR_WEBHOOK_SECRET,
    earlyWarning: config.WEBHOOK_EARLY_WARNING,
    attempts: config.WEBHOOK_MAX_ATTEMPTS,
    baseDelayMs: config.WEBHOOK_RETRY_BASE_MS,
    maxDelayMs: config.WEBHOOK_RETRY_MAX_MS,
    retryForMs: config.WEBHOOK_RETRY_FOR_MS,
    outbound: new OutboundPolicy(config.OUTBOUND_ALLOW_INTERNAL),
  };
}
