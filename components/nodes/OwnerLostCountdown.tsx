'use client';

import { useClock } from '../ui/useClock';
import { useUi } from '../providers';

/** Seconds until `iso` (rounded up, never below 0); null without a clock or a time. */
export function secondsUntil(iso: string | null, at: number): number | null {
  if (!iso || !at) return null;
  return Math.max(0, Math.ceil((Date.parse(iso) - at) / 1000));
}

/**
 * "owner lost — moving in 7 s" while a silent node's lease runs out (issue 27.9); "moving now" once
 * it ended and before a live node reports the phone.
 */
export function OwnerLostCountdown({ until, testId }: { until: string | null; testId?: string }) {
  const { t } = useUi();
  // A one-second clock; none on the server (no number rendered there: no hydration mismatch).
  const at = useClock(1000);
  const n = secondsUntil(until, at);
  return (
    <span className="mt-1 block text-xs text-orange-900 dark:text-orange-200" data-testid={testId} role="status">
      {n === null || n === 0 ? t('status.ownerLostMovingNow') : t('status.ownerLostMoving', { n })}
    </span>
  );
}
