// A phone's health level and why, from its decryption counters, whether it is connected and
// whether its liveness probe says it is unresponsive. The seed's levels are unchanged; an
// unresponsive connected phone is `critical` with reason `unresponsive`.
import { healthLevel } from '../sessions/decrypt-errors';
import type { HealthLevel, SessionErrorStats } from '../sessions/types';
import type { HealthReason } from './events';

export function healthOf(stats: SessionErrorStats, connected: boolean, unresponsive: boolean): { health: HealthLevel; healthReason: HealthReason | null } {
  if (!connected) return { health: 'closed', healthReason: 'not-running' };
  if (unresponsive) return { health: 'critical', healthReason: 'unresponsive' };
  const health = healthLevel(stats, true);
  return { health, healthReason: health === 'healthy' ? null : 'decrypt-errors' };
}
