// Server start-up, once per process: the session manager's boot, its subscribers, and a clean
// shutdown on SIGTERM/SIGINT. Called from instrumentation.ts (Node runtime only).
import { getConfig } from '../config';
import { getLogger } from '../logger';
import { getSessionManager } from '../sessions/manager';
import { installProcessGuard } from '../sessions/process-guard';
import { getAlerter, getWebhookNotifier, startSubscribers } from './subscribers';
import { busFor, fleetSettingsFromConfig } from '../fleet/settings';
import { FleetStartRefusedError } from '../fleet/fleet';
import { joinFleet } from '../fleet/join';
import { getDb } from '../db/client';

const holder = globalThis as unknown as { __bootPromise?: Promise<void> };

/** The longest a shutdown may take before the process exits anyway. */
const SHUTDOWN_DEADLINE_MS = 15_000;

export function bootServer(): Promise<void> {
  holder.__bootPromise ??= (async () => {
    const logger = getLogger();
    installProcessGuard(logger);
    const config = getConfig();
    const manager = getSessionManager();
    // Every console process is a node of a fleet (on SQLite, a fleet of one).
    const fleet = joinFleet(manager, getDb(), fleetSettingsFromConfig(config), busFor(config, logger), logger);
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
      // Alerts collected for the next batch go out now.
      Promise.allSettled([manager.shutdown(), getWebhookNotifier()?.stop(), getAlerter()?.idle()]).finally(() => process.exit(0));
    };
    // `on`, not `once`: a second signal (a process group signalled twice, Ctrl-C on npm start)
    // must not reach Node's default handler and kill the drain half-way; `stopping` ignores it.
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    // Without autostart the node still holds a lease (so commands reach it) but claims nothing.
    try {
      if (config.SESSIONS_AUTOSTART) await manager.boot();
      else await fleet.start({ claimOrphans: false });
    } catch (err) {
      // A process that may not be a node (its NODE_ID is live in another process, or it has no
      // bus key beside other nodes) stops at once with the reason, instead of serving half a node.
      if (err instanceof FleetStartRefusedError) {
        logger.fatal(err.message);
        console.error(`\n${err.message}\n`);
        process.exit(1);
      }
      throw err;
    }
  })();
  return holder.__bootPromise;
}
