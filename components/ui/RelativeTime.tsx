'use client';

import { exactTime, relativeTime, userLocale } from '@/lib/ui/time';
import { useUi } from '../providers';
import { useClock } from './useClock';

/** A time as "3 min. ago", the exact time and zone on hover (title); `empty` when there is none. */
export function RelativeTime({ iso, empty = '—', className, testId }: { iso: string | null; empty?: string; className?: string; testId?: string }) {
  const { locale } = useUi();
  // One clock for every relative time on the page, ticking every 15 s; none on the server.
  const at = useClock(15_000);
  if (!iso) return <span className={className} data-testid={testId}>{empty}</span>;
  const lang = at ? userLocale(locale, navigator.languages ?? [navigator.language]) : null;
  return (
    <time dateTime={iso} title={lang ? exactTime(lang, iso) : undefined} className={className} data-testid={testId}>
      {lang ? relativeTime(lang, iso, at) : ''}
    </time>
  );
}
