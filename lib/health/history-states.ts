// The states a phone's history is made of (one band colour each): open (green), connecting (amber:
// connecting, pairing, reconnecting), closed (red: down when it should run — closed by WhatsApp,
// by the error limits, or given up), stopped (grey: not running because a person or the process
// stopped it). Each stored interval is one of these.
import type { SessionState } from '../sessions/types';

export const HISTORY_STATES = ['open', 'connecting', 'closed', 'stopped'] as const;
export type HistoryState = (typeof HISTORY_STATES)[number];

/**
 * The history state of a session state; null for `closing` (a moment between two states: the
 * interval before goes on). A close asked by an operator (or the process) is `stopped`.
 */
export function historyStateOf(state: SessionState, byOperator: boolean): HistoryState | null {
  switch (state) {
    case 'open':
      return 'open';
    case 'connecting':
    case 'qr':
      return 'connecting';
    case 'closing':
      return null;
    case 'closed':
    case 'logged_out':
      return byOperator ? 'stopped' : 'closed';
    case 'idle':
      return 'stopped';
  }
}
