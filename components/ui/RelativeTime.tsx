'use client';

import { useSyncExternalStore } from 'react';
import { exactTime, relativeTime, userLocale } from '@/lib/ui/time';
import { useUi } from '../providers';

// One clock for every relative time on the page: it ticks every 15 s while any is shown. The
// server (and the hydration pass) sees no clock (0): the time is worded only in the browser, in
// its own zone and locale, so the server's HTML never disagrees with the client's (issue 27.1).
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
    }, 15_000);
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

/** A time as "3 min. ago", the exact time and zone on hover (title); `empty` when there is none. */
export function RelativeTime({ iso, empty = '—', className, testId }: { iso: string | null; empty?: string; className?: string; testId?: string }) {
  const { locale } = useUi();
  const at = useSyncExternalStore(subscribe, clientNow, serverNow);
  if (!iso) return <span className={className} data-testid={testId}>{empty}</span>;
  const lang = at ? userLocale(locale, navigator.languages ?? [navigator.language]) : null;
  return (
    <time dateTime={iso} title={lang ? exactTime(lang, iso) : undefined} className={className} data-testid={testId}>
      {lang ? relativeTime(lang, iso, at) : ''}
    </time>
  );
}
