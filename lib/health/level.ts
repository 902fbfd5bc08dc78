// A phone's health level and why, from its decryption counters, whether it is connected and
// whether its liveness probe says it is unresponsive. The seed's levels are unchanged; an
// unresponsive connected phone is `critical` with reason `unresponsive`; a phone WhatsApp banned or
// restricted is `critical` with that reason while it is not connected (it never reconnects by itself).
import { healthLevel } from '../sessions/decrypt-errors';
import type { HealthLevel, SessionErrorStats } from '../sessions/types';
import type { HealthReason } from './events';

export type Health = { health: HealthLevel; healthReason: HealthReason | null };

/** A phone that is not connected: `critical` if WhatsApp's last close banned or restricted it, else `closed`. */
export function stoppedHealth(lastCloseCode: string | null | undefined): Health {
  if (lastCloseCode === 'banned' || lastCloseCode === 'restricted') return { health: 'critical', healthReason: lastCloseCode };
  return { health: 'closed', healthReason: 'not-running' };
}

export function healthOf(stats: SessionErrorStats, connected: boolean, unresponsive: boolean, lastCloseCode?: string | null, signal?: Health | null): Health {
  if (!connected) return stoppedHealth(lastCloseCode);
  if (unresponsive) return { health: 'critical', healthReason: 'unresponsive' };
  const health = healthLevel(stats, true);
  // An account signal (account-signals.ts: reach-out lock, message capping) counts when it is worse than the decryption counters.
  if (signal && RANK[signal.health] > RANK[health]) return signal;
  return { health, healthReason: health === 'healthy' ? null : 'decrypt-errors' };
}

const RANK: Record<HealthLevel, number> = { healthy: 0, degraded: 1, critical: 2, closed: 3 };
