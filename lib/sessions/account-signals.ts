// What WhatsApp tells a connected account about its standing, as Baileys 7 (since rc10) reports it:
// a reach-out time-lock (`connection.update.reachoutTimeLock`: the account may not start new chats
// until a time) and new-chat message capping (`message-capping.update`: FIRST_WARNING,
// SECOND_WARNING, CAPPED). Baileys 6.7 reports neither. Pure: the engine module (engines/baileys7.ts)
// reads the events, the session keeps the state and emits `account-signal`; this module says what
// they mean for the phone's health.
import type { HealthLevel } from './types';

export const CAPPING_STATUSES = ['NONE', 'FIRST_WARNING', 'SECOND_WARNING', 'CAPPED'] as const;
export type CappingStatus = (typeof CAPPING_STATUSES)[number];

export type AccountSignal =
  | {
      kind: 'reachout-timelock';
      /** the lock is on */
      active: boolean;
      /** when it ends (ISO 8601), if WhatsApp said */
      until: string | null;
      /** WhatsApp's enforcement type (e.g. DEFAULT, BIZ_QUALITY, WEB_COMPANION_ONLY) */
      enforcementType: string | null;
    }
  | {
      kind: 'message-capping';
      status: CappingStatus;
      usedQuota: number | null;
      totalQuota: number | null;
      /** when the capping cycle ends (ISO 8601), if WhatsApp said */
      cycleEndsAt: string | null;
    };
export type AccountSignalKind = AccountSignal['kind'];

/** The health reasons account signals give (lib/health/events.ts HEALTH_REASONS). */
export const SIGNAL_HEALTH_REASONS = ['reachout-locked', 'message-capped', 'capping-warning'] as const;
export type SignalHealthReason = (typeof SIGNAL_HEALTH_REASONS)[number];

export interface AccountSignals {
  reachout: Extract<AccountSignal, { kind: 'reachout-timelock' }> | null;
  capping: Extract<AccountSignal, { kind: 'message-capping' }> | null;
}
export const noSignals = (): AccountSignals => ({ reachout: null, capping: null });

const isoOf = (v: unknown): string | null => {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (typeof v === 'string' && /^\d+$/.test(v) && v !== '0') return new Date(Number(v) * 1000).toISOString(); // unix seconds, as WhatsApp sends them
  return null;
};
const numOf = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : null);

/** Baileys 7's `reachoutTimeLock` ({ isActive, timeEnforcementEnds?, enforcementType? }) → signal; null if it is not one. */
export function reachoutSignal(raw: unknown): AccountSignal | null {
  if (!raw || typeof raw !== 'object' || typeof (raw as { isActive?: unknown }).isActive !== 'boolean') return null;
  const r = raw as { isActive: boolean; timeEnforcementEnds?: unknown; enforcementType?: unknown };
  return { kind: 'reachout-timelock', active: r.isActive, until: r.isActive ? isoOf(r.timeEnforcementEnds) : null, enforcementType: typeof r.enforcementType === 'string' ? r.enforcementType : null };
}

/** Baileys 7's `message-capping.update` payload (NewChatMessageCapInfo) → signal; null without a known `capping_status`. */
export function cappingSignal(raw: unknown): AccountSignal | null {
  if (!raw || typeof raw !== 'object') return null;
  const r = raw as Record<string, unknown>;
  const status = r.capping_status;
  if (typeof status !== 'string' || !(CAPPING_STATUSES as readonly string[]).includes(status)) return null;
  return { kind: 'message-capping', status: status as CappingStatus, usedQuota: numOf(r.used_quota), totalQuota: numOf(r.total_quota), cycleEndsAt: isoOf(r.cycle_end_timestamp) };
}

export function applySignal(state: AccountSignals, signal: AccountSignal): AccountSignals {
  return signal.kind === 'reachout-timelock' ? { ...state, reachout: signal } : { ...state, capping: signal };
}

/**
 * The health the signals give a connected phone, worst first: a reach-out lock still in force or
 * capped new chats are `critical` (the account cannot reach new contacts); a capping warning is
 * `degraded`. A lock whose end has passed counts no more. Null: nothing to say.
 */
export function signalHealth(state: AccountSignals, nowMs: number): { health: HealthLevel; healthReason: SignalHealthReason } | null {
  const lock = state.reachout;
  if (lock?.active && (lock.until === null || Date.parse(lock.until) > nowMs)) return { health: 'critical', healthReason: 'reachout-locked' };
  const capping = state.capping?.status;
  if (capping === 'CAPPED') return { health: 'critical', healthReason: 'message-capped' };
  if (capping === 'FIRST_WARNING' || capping === 'SECOND_WARNING') return { health: 'degraded', healthReason: 'capping-warning' };
  return null;
}
