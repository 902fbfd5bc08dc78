// Server start-up, once per process: the session manager's boot, its subscribers, and a clean
// shutdown on SIGTERM/SIGINT. Called from instrumentation.ts (Node runtime only).
import { getConfig } from './config';
import { getLogger } from './logger';
import { getSessionManager } from './sessions/manager';
import { installProcessGuard } from './sessions/process-guard';
import { getWebhookNotifier, startSubscribers } from './subscribers';

const holder = globalThis as unknown as { __bootPromise?: Promise<void> };

/** The longest a shutdown may take before the process exits anyway. */
const SHUTDOWN_DEADLINE_MS = 15_000;

export function bootServer(): Promise<void> {
  holder.__bootPromise ??= (async () => {
    const logger = getLogger();
    installProcessGuard(logger);
    const manager = getSessionManager();
    startSubscribers(manager);
    // With NEXT_MANUAL_SIG_HANDLE set (every launcher sets it), this handler alone decides the
    // exit, so the sessions are closed before the process ends. Installed before boot.
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down: closing sessions (no logout)');
      // Each socket close is bounded already; this is the last resort.
      setTimeout(() => process.exit(0), SHUTDOWN_DEADLINE_MS).unref();
      // Webhook attempts in flight finish and are recorded; pending ones stay in the outbox for the next start.
      Promise.allSettled([manager.shutdown(), getWebhookNotifier()?.stop()]).finally(() => process.exit(0));
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    if (getConfig().SESSIONS_AUTOSTART) await manager.boot();
  })();
  return holder.__bootPromise;
}
