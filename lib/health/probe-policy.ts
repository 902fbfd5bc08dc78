// The liveness probe's policy, as pure logic: consecutive failures make a phone unresponsive;
// the console restarts it once per incident (when allowed); a successful probe ends the incident.
// The session applies the decisions (lib/sessions/session.ts); the scheduler is prober.ts.

export interface ProbeSettings {
  /** how often each open phone is probed (spread evenly over the interval) */
  intervalMs: number;
  /** how long one probe may take before it counts as failed */
  timeoutMs: number;
  /** failed probes in a row that make a phone unresponsive */
  failures: number;
  /** restart an unresponsive phone once per incident */
  restart: boolean;
}

export interface ProbeState {
  /** failed probes in a row on the current socket */
  consecutiveFailures: number;
  /** when the current incident began (ISO 8601), null when responsive */
  unresponsiveSince: string | null;
  /** the console restarted the phone during the current incident */
  restarted: boolean;
}

export const RESPONSIVE: ProbeState = { consecutiveFailures: 0, unresponsiveSince: null, restarted: false };

export type ProbeDecision =
  | { action: 'none' }
  /** the phone is (still) unresponsive: report it; restart it when `restart` */
  | { action: 'unresponsive'; failures: number; restart: boolean; afterRestart: boolean }
  | { action: 'recovered'; since: string };

/** The next state and what to do after one probe's outcome. */
export function afterProbe(state: ProbeState, ok: boolean, settings: Pick<ProbeSettings, 'failures' | 'restart'>, now: string): { state: ProbeState; decision: ProbeDecision } {
  if (ok) {
    if (state.unresponsiveSince) return { state: RESPONSIVE, decision: { action: 'recovered', since: state.unresponsiveSince } };
    return { state: state.consecutiveFailures ? { ...state, consecutiveFailures: 0 } : state, decision: { action: 'none' } };
  }
  const failures = state.consecutiveFailures + 1;
  // Exactly at the threshold: one decision per run of failures, not one per failed probe.
  if (failures !== Math.max(1, settings.failures)) return { state: { ...state, consecutiveFailures: failures }, decision: { action: 'none' } };
  const restart = settings.restart && !state.restarted;
  return {
    state: { consecutiveFailures: failures, unresponsiveSince: state.unresponsiveSince ?? now, restarted: state.restarted || restart },
    decision: { action: 'unresponsive', failures, restart, afterRestart: state.restarted },
  };
}

/** A new socket (after a restart or a reconnect): its failures start from zero; the incident stays. */
export function onNewSocket(state: ProbeState): ProbeState {
  return state.consecutiveFailures ? { ...state, consecutiveFailures: 0 } : state;
}

/**
 * Round-robin pacing: with `count` phones to probe in `intervalMs`, the gap between two probes.
 * At least `minGapMs`, so a huge fleet with a short interval cannot spin the event loop.
 */
export function probeGap(intervalMs: number, count: number, minGapMs = 1): number {
  return Math.max(minGapMs, Math.floor(intervalMs / Math.max(1, count)));
}
