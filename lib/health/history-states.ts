// The states a phone's history is made of (one band colour each): open (green), connecting (amber:
// connecting, pairing, reconnecting), closed (red: down when it should run — closed by WhatsApp,
// by the error limits, or given up), stopped (grey: not running because a person or the process
// stopped it). Each stored interval is one of these.
import type { SessionState } from '../sessions/types';
import type { CloseReason, CloseReasonCode } from '../sessions/reasons';

export const HISTORY_STATES = ['open', 'connecting', 'closed', 'stopped'] as const;
export type HistoryState = (typeof HISTORY_STATES)[number];

/** Closes a person (or the process) asked for: the phone is `stopped`, not down. */
const OPERATOR_STOPS: ReadonlySet<CloseReasonCode> = new Set<CloseReasonCode>(['manual', 'admin_logout', 'phone_deleted', 'restart', 'proxy_changed', 'shutdown']);

export const isOperatorStop = (why: CloseReason | null | undefined): boolean => !!why && OPERATOR_STOPS.has(why.code);

/**
 * The history state of a session state and the reason it changed; null for `closing` (a moment
 * between two states: the interval before goes on). A close an operator (or the process) asked
 * for is `stopped`; any other close is `closed`.
 */
export function historyStateOf(state: SessionState, why?: CloseReason | null): HistoryState | null {
  const byOperator = isOperatorStop(why);
  switch (state) {
    case 'open':
      return 'open';
    case 'connecting':
    case 'qr':
      return 'connecting';
    case 'closing':
    case 'owner_lost': // a fleet view's state, never a session's own: nothing is recorded for it
      return null;
    case 'closed':
    case 'logged_out':
      return byOperator ? 'stopped' : 'closed';
    case 'idle':
      return 'stopped';
  }
}
