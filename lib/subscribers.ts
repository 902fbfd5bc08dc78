// Everything that listens to the session engine's events, started once per process.
import type { SessionManager } from './sessions/manager';

const holder = globalThis as unknown as { __subscribersStarted?: boolean };

export function startSubscribers(manager: SessionManager) {
  if (holder.__subscribersStarted) return;
  holder.__subscribersStarted = true;
  void manager;
}
