// Everything that listens to the session engine, started once per process: metrics, webhooks
// and the periodic health monitor.
import { OutboundPolicy } from './http/outbound-guard';
import { getConfig, type Config } from './config';
import { getDb } from './db/client';
import { getLogger } from './logger';
import { getMetrics, setWebhookBacklogSource } from './metrics';
import { startMonitor } from './monitor';
import { WebhookNotifier, type WebhookSettings } from './notify/webhooks';
import type { SessionManager } from './sessions/manager';
import { getEventLog } from './sse-log';

interface Subscribers {
  webhooks: WebhookNotifier;
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
  const offWebhooks = manager.subscribe((e) => webhooks.onEngineEvent(e));
  // message.received and message.status (with content) to each phone's organization endpoint
  manager.messages.setNotifier((event, payload, phoneId) => webhooks.send(event, payload, { phoneId, organizationOnly: true }));
  const unsubscribe = () => {
    offLog();
    offWebhooks();
    manager.messages.setNotifier(null);
  };
  const stopMonitor = startMonitor({
    db: getDb(),
    manager,
    log: log.child({ module: 'monitor' }),
    intervalMs: config.HEALTH_CHECK_INTERVAL_MS,
    onReport: (report) => webhooks.send(report.type, report),
    onCheck: (phones) => metrics.phonesWithoutSocket.set(phones.filter((p) => !p.isConnected).length),
  });
  holder.__subscribers = { webhooks, stopMonitor, unsubscribe };
  return holder.__subscribers;
}

/** The process's webhook notifier (outbox worker), once the subscribers started. */
export function getWebhookNotifier(): WebhookNotifier | null {
  return holder.__subscribers?.webhooks ?? null;
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
