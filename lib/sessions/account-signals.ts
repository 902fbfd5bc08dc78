// What WhatsApp tells a connected account about its standing, as Baileys 7 (since rc10) reports it:
// a reach-out time-lock (`connection.update.reachoutTimeLock`: the account may not start new chats
// until a time) and new-chat message capping (`message-capping.update`: FIRST_WARNING,
// SECOND_WARNING, CAPPED). Baileys 6.7 reports neither. Pure: the engine module (engines/baileys7.ts)
// reads the events, the session keeps the state, stores it on the phone's row (so a restart or
// another node knows it) and emits `account-signal`; this module says what they mean for the
// phone's health and how they are stored.
import { z } from 'zod';
import type { HealthLevel } from './types';

export const CAPPING_STATUSES = ['NONE', 'FIRST_WARNING', 'SECOND_WARNING', 'CAPPED'] as const;
export type CappingStatus = (typeof CAPPING_STATUSES)[number];

// The shapes are written once, as schemas: the types below, the stored form's check
// (loadSignals) and the API's response schema (lib/api/session-schemas.ts) all come from them.
const reachoutSchema = z.object({
  kind: z.literal('reachout-timelock'),
  active: z.boolean().describe('the lock is on'),
  until: z.string().nullable().describe('when it ends (ISO 8601), if WhatsApp said'),
  enforcementType: z.string().nullable().describe("WhatsApp's enforcement type (e.g. DEFAULT, BIZ_QUALITY, WEB_COMPANION_ONLY)"),
});
const cappingSchema = z.object({
  kind: z.literal('message-capping'),
  status: z.enum(CAPPING_STATUSES),
  usedQuota: z.number().nullable(),
  totalQuota: z.number().nullable(),
  cycleEndsAt: z.string().nullable().describe('when the capping cycle ends (ISO 8601), if WhatsApp said'),
});
export const accountSignalSchema = z.discriminatedUnion('kind', [reachoutSchema, cappingSchema]);
export type AccountSignal = z.infer<typeof accountSignalSchema>;
export type AccountSignalKind = AccountSignal['kind'];

/** The health reasons account signals give (lib/health/events.ts HEALTH_REASONS). */
export const SIGNAL_HEALTH_REASONS = ['reachout-locked', 'message-capped', 'capping-warning'] as const;
export type SignalHealthReason = (typeof SIGNAL_HEALTH_REASONS)[number];

/** The phone's current signals: the last of each kind (null: WhatsApp said nothing of it). */
export const accountSignalsSchema = z.object({ reachout: reachoutSchema.nullable(), capping: cappingSchema.nullable() });
export type AccountSignals = z.infer<typeof accountSignalsSchema>;
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
 * `degraded`. A lock whose end has passed, or a capping whose cycle has ended, counts no more.
 * Null: nothing to say.
 */
export function signalHealth(state: AccountSignals, nowMs: number): { health: HealthLevel; healthReason: SignalHealthReason } | null {
  const current = inForce(state, nowMs);
  if (current.reachout?.active) return { health: 'critical', healthReason: 'reachout-locked' };
  const capping = current.capping?.status;
  if (capping === 'CAPPED') return { health: 'critical', healthReason: 'message-capped' };
  if (capping === 'FIRST_WARNING' || capping === 'SECOND_WARNING') return { health: 'degraded', healthReason: 'capping-warning' };
  return null;
}

const endedBy = (iso: string | null | undefined, nowMs: number) => iso != null && !(Date.parse(iso) > nowMs);

/**
 * The signals as they stand at `nowMs`: a reach-out lock whose end has passed is gone, and so is a
 * capping whose cycle has ended (the next cycle starts with a fresh quota). WhatsApp need not say either.
 */
export function inForce(state: AccountSignals, nowMs: number): AccountSignals {
  const lockEnded = state.reachout?.active === true && endedBy(state.reachout.until, nowMs);
  const cycleEnded = endedBy(state.capping?.cycleEndsAt, nowMs);
  if (!lockEnded && !cycleEnded) return state;
  return { reachout: lockEnded ? null : state.reachout, capping: cycleEnded ? null : state.capping };
}

/**
 * Milliseconds from `nowMs` until the signals change by the clock alone (a lock or a capping cycle
 * ends), so the session can tell the live view then; null when nothing will.
 */
export function msUntilSignalsChange(state: AccountSignals, nowMs: number): number | null {
  const ends = [state.reachout?.active ? state.reachout.until : null, state.capping?.cycleEndsAt ?? null]
    .map((iso) => (iso === null ? Number.NaN : Date.parse(iso) - nowMs))
    .filter((ms) => ms > 0);
  return ends.length ? Math.min(...ends) : null;
}

/** The stored form (the phone's `accountSignals` column): JSON, or null when WhatsApp said nothing. */
export function storedSignals(state: AccountSignals): string | null {
  return state.reachout || state.capping ? JSON.stringify(state) : null;
}

/**
 * The stored form read back when a session starts (on any node), as it stands at `nowMs` (an
 * ended lock expired). Unreadable text counts as nothing said: a bad row must not stop the phone.
 */
export function loadSignals(text: string | null | undefined, nowMs: number): AccountSignals {
  if (!text) return noSignals();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return noSignals();
  }
  const parsed = accountSignalsSchema.safeParse(json);
  return parsed.success ? inForce(parsed.data, nowMs) : noSignals();
}
