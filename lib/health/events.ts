// Health events: what the health side of the console tells the rest (alerts, issue 26 items 6–8).
// Emitted on this node for the phones this node runs (each node reports its own phones, as with
// webhooks). One event per change: `phone-unresponsive` when a phone's probe failed
// PROBE_FAILURES times in a row (again with `afterRestart: true` when the console's restart did not
// help), `phone-recovered` when a probe succeeds again or an operator stops the phone;
// `below-objective` / `objective-met` when the health monitor's run finds a phone's uptime over
// UPTIME_WINDOW_DAYS crossing UPTIME_OBJECTIVE (in either direction).

import { SIGNAL_HEALTH_REASONS } from '../sessions/account-signals';

export const HEALTH_EVENT_TYPES = ['phone-unresponsive', 'phone-recovered', 'below-objective', 'objective-met'] as const;
export type HealthEventType = (typeof HEALTH_EVENT_TYPES)[number];

/**
 * Why a phone's health is not `healthy` (beside `health` in the API, the list and the stream).
 * `banned` / `restricted`: WhatsApp closed it with that reason (lib/sessions/reasons.ts); it stays
 * closed and `critical` until an operator acts. `reachout-locked` / `message-capped` (critical) and
 * `capping-warning` (degraded): what WhatsApp told a connected account (lib/sessions/account-signals.ts, Baileys 7 only).
 */
export const HEALTH_REASONS = ['unresponsive', 'decrypt-errors', 'not-running', 'banned', 'restricted', ...SIGNAL_HEALTH_REASONS] as const;
export type HealthReason = (typeof HEALTH_REASONS)[number];

interface PhoneRef {
  phoneId: number;
  organizationId: number;
  phoneJid: string;
  /** ISO 8601 */
  at: string;
}

export type HealthEvent =
  | (PhoneRef & {
      type: 'phone-unresponsive';
      /** consecutive failed probes */
      failures: number;
      /** true when the console already restarted the phone for this incident (it stays critical) */
      afterRestart: boolean;
      /** whether the console restarts it now (PROBE_RESTART and not yet restarted for this incident) */
      restarting: boolean;
    })
  | (PhoneRef & {
      type: 'phone-recovered';
      /** when it became unresponsive (ISO 8601) */
      since: string;
      /** 'probe-ok': a probe succeeded again; 'stopped': an operator closed or logged it out */
      how: 'probe-ok' | 'stopped';
    })
  | (PhoneRef & {
      type: 'below-objective' | 'objective-met';
      /** uptime over the window, 0..1 (open time / time it was meant to run) */
      uptime: number;
      /** UPTIME_OBJECTIVE as a fraction, e.g. 0.995 */
      objective: number;
      windowDays: number;
    });

export type HealthEventListener = (event: HealthEvent) => void;

/** Where health events come from: subscribe, get an unsubscribe function. */
export interface HealthEventSource {
  subscribe(listener: HealthEventListener): () => void;
}

/** A tiny synchronous emitter; a throwing listener never affects the others or the emitter. */
export class HealthEvents implements HealthEventSource {
  private listeners = new Set<HealthEventListener>();
  constructor(private onListenerError: (err: unknown) => void = () => {}) {}

  subscribe(listener: HealthEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: HealthEvent) {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }
}

const holder = globalThis as unknown as { __healthEvents?: HealthEvents };

/** The process's health events (the session manager's probes and the monitor emit here). */
export function getHealthEvents(): HealthEvents {
  holder.__healthEvents ??= new HealthEvents();
  return holder.__healthEvents;
}
