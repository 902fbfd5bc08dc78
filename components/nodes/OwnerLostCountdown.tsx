'use client';

import { useSyncExternalStore } from 'react';
import { useUi } from '../providers';

// A one-second clock, running only while some countdown is shown. The server (and the hydration
// pass) sees no clock (0) and renders no number, so its HTML never disagrees with the browser's.
const listeners = new Set<() => void>();
let now = 0;
let timer: ReturnType<typeof setInterval> | null = null;
function subscribe(listener: () => void) {
  listeners.add(listener);
  if (!timer) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      for (const l of listeners) l();
    }, 1000);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };
}
const clientNow = () => now || (now = Date.now());
const serverNow = () => 0;

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
  const at = useSyncExternalStore(subscribe, clientNow, serverNow);
  const n = secondsUntil(until, at);
  return (
    <span className="mt-1 block text-xs text-orange-900 dark:text-orange-200" data-testid={testId} role="status">
      {n === null || n === 0 ? t('status.ownerLostMovingNow') : t('status.ownerLostMoving', { n })}
    </span>
  );
}
