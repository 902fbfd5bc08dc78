'use client';

import type { HealthLevel, SessionState } from '@/lib/sessions/types';
import type { HealthReason } from '@/lib/health/events';
import { closeWarning } from '@/lib/ui/session-text';
import { useUi } from '../providers';

const STATUS_COLORS: Record<SessionState, string> = {
  idle: 'bg-gray-100 text-gray-700 dark:bg-gray-800 dark:text-gray-300',
  connecting: 'bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300',
  qr: 'bg-violet-100 text-violet-800 dark:bg-violet-950 dark:text-violet-300',
  open: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300',
  closing: 'bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-300',
  closed: 'bg-gray-200 text-gray-700 dark:bg-gray-800 dark:text-gray-300',
  logged_out: 'bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300',
  owner_lost: 'bg-orange-100 text-orange-800 dark:bg-orange-950 dark:text-orange-300',
};

const HEALTH_COLORS: Record<HealthLevel, string> = {
  healthy: 'bg-health-healthy',
  degraded: 'bg-health-degraded',
  critical: 'bg-health-critical',
  closed: 'bg-health-closed',
};

export function StatusBadge({ status, testId }: { status: SessionState; testId?: string }) {
  const { t } = useUi();
  return <span data-testid={testId} data-status={status} className={`rounded-full px-2 py-0.5 text-xs font-medium ${STATUS_COLORS[status]}`}>{t(`status.${status}`)}</span>;
}

/** Only a connected session is healthy; a pairing or connecting one reads "not connected". */
export function HealthBadge({ health, status, testId }: { health: HealthLevel; status?: SessionState; testId?: string }) {
  const { t } = useUi();
  const text = health === 'closed' && (status === 'qr' || status === 'connecting') ? t('health.offline') : t(`health.${health}`);
  return (
    <span data-testid={testId} data-health={health} className="inline-flex items-center gap-1.5 text-sm">
      <span aria-hidden className={`h-2.5 w-2.5 rounded-full ${HEALTH_COLORS[health]}`} />
      {text}
    </span>
  );
}

/** Reasons worth a line under the badge: the probe gets no answer, WhatsApp banned or restricted the phone. */
const NOTED_REASONS = {
  unresponsive: 'health.reason.unresponsive',
  banned: 'health.reason.banned',
  restricted: 'health.reason.restricted',
  'reachout-locked': 'health.reason.reachoutLocked',
  'message-capped': 'health.reason.messageCapped',
  'capping-warning': 'health.reason.cappingWarning',
} as const;

export function HealthReasonNote({ reason, testId }: { reason: HealthReason | null; testId?: string }) {
  const { t } = useUi();
  const key = reason && Object.hasOwn(NOTED_REASONS, reason) ? NOTED_REASONS[reason as keyof typeof NOTED_REASONS] : null;
  if (!key) return null;
  return <span className="block text-xs text-red-800 dark:text-red-300" data-testid={testId} data-reason={reason}>{t(key)}</span>;
}

/** "The next Bad MAC closes the session; Restart resets the counters", when one more would (issue 27.7). */
export function CloseWarning({ status, stats, testId, block }: { status: SessionState; stats: Parameters<typeof closeWarning>[2]; testId?: string; block?: boolean }) {
  const { t } = useUi();
  const text = closeWarning(t, status, stats);
  if (!text) return null;
  return (
    <span role="status" data-testid={testId}
      className={block ? 'block rounded border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100' : 'mt-1 block max-w-48 text-xs text-red-800 dark:text-red-300'}>
      {text}
    </span>
  );
}

export function Counter({ value, max, testId }: { value: number; max: number; testId?: string }) {
  const ratio = Math.min(1, value / max);
  const color = value >= max - 1 && value > 0 ? 'bg-red-500' : value > 0 ? 'bg-amber-500' : 'bg-emerald-500';
  return (
    <span className="inline-flex items-center gap-2">
      <span data-testid={testId} className="tabular-nums">{value}/{max}</span>
      <span aria-hidden className="h-1.5 w-12 overflow-hidden rounded bg-gray-200 dark:bg-gray-800">
        <span className={`block h-full ${color}`} style={{ width: `${Math.max(ratio * 100, value > 0 ? 8 : 0)}%` }} />
      </span>
    </span>
  );
}
