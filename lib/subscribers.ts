// Everything that listens to the session engine, started once per process: metrics, webhooks
// and the periodic health monitor.
import { getConfig } from './config';
import { getDb } from './db/client';
import { getLogger } from './logger';
import { getMetrics } from './metrics';
import { startMonitor } from './monitor';
import { WebhookNotifier } from './notify/webhooks';
import type { SessionManager } from './sessions/manager';

interface Subscribers {
  webhooks: WebhookNotifier | null;
  stopMonitor: () => void;
  unsubscribe: () => void;
}

const holder = globalThis as unknown as { __subscribers?: Subscribers };

export function startSubscribers(manager: SessionManager): Subscribers {
  if (holder.__subscribers) return holder.__subscribers;
  const config = getConfig();
  const log = getLogger();
  const metrics = getMetrics(manager);
  const webhooks = config.ERROR_WEBHOOK_URL
    ? new WebhookNotifier({ url: config.ERROR_WEBHOOK_URL, secret: config.ERROR_WEBHOOK_SECRET, baseDelayMs: config.WEBHOOK_RETRY_BASE_MS }, getDb(), log.child({ module: 'webhooks' }), () => metrics.webhookFailures.inc())
    : null;
  const unsubscribe = webhooks ? manager.subscribe((e) => webhooks.onEngineEvent(e)) : () => {};
  const stopMonitor = startMonitor({
    db: getDb(),
    manager,
    log: log.child({ module: 'monitor' }),
    intervalMs: config.HEALTH_CHECK_INTERVAL_MS,
    onReport: (report) => webhooks?.send(report.type, report),
  });
  holder.__subscribers = { webhooks, stopMonitor, unsubscribe };
  return holder.__subscribers;
}

/** Stops the monitor and the webhook subscription, then waits for queued deliveries (shutdown, tests). */
export async function stopSubscribers(): Promise<void> {
  const subs = holder.__subscribers;
  if (!subs) return;
  holder.__subscribers = undefined;
  subs.stopMonitor();
  subs.unsubscribe();
  await subs.webhooks?.idle();
}
