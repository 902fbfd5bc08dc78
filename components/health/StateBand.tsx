'use client';

import type { Band } from '@/lib/health/history';
import type { HistoryState } from '@/lib/health/history-states';
import { HISTORY_STATES } from '@/lib/health/history-states';
import { formatDate } from '@/lib/ui/i18n';
import { useUi } from '../providers';

/** Band colours: green open, amber connecting, red closed, grey not running (both themes). */
export const BAND_FILL: Record<HistoryState, string> = {
  open: 'fill-emerald-500 dark:fill-emerald-400',
  connecting: 'fill-amber-400 dark:fill-amber-300',
  closed: 'fill-red-600 dark:fill-red-400',
  stopped: 'fill-gray-400 dark:fill-gray-500',
};
export const BAND_BG: Record<HistoryState, string> = {
  open: 'bg-emerald-500 dark:bg-emerald-400',
  connecting: 'bg-amber-400 dark:bg-amber-300',
  closed: 'bg-red-600 dark:bg-red-400',
  stopped: 'bg-gray-400 dark:bg-gray-500',
};

/**
 * A phone's states over [from, to] as one horizontal band (SVG, no chart library): each stretch a
 * rectangle in its state's colour, with its times as a tooltip; time without history is empty.
 */
export function StateBand({ bands, from, to, span, height = 10, testId }: { bands: Band[]; from: string; to: string; span: string; height?: number; testId?: string }) {
  const { t, locale } = useUi();
  const start = Date.parse(from);
  const total = Math.max(1, Date.parse(to) - start);
  const share = Object.fromEntries(HISTORY_STATES.map((s) => [s, 0])) as Record<HistoryState, number>;
  for (const b of bands) share[b.state] += (Date.parse(b.to) - Date.parse(b.from)) / total;
  const label =
    `${t('band.label', { span })}: ` +
    (bands.length
      ? HISTORY_STATES.filter((s) => share[s] > 0)
          .map((s) => `${t(`band.${s}`)} ${(share[s] * 100).toFixed(1)} %`)
          .join(', ')
      : t('band.empty'));
  return (
    <svg role="img" aria-label={label} data-testid={testId} data-bands={bands.map((b) => b.state).join(',')} viewBox={`0 0 1000 ${height}`} preserveAspectRatio="none" className="block w-full rounded-sm bg-gray-100 dark:bg-gray-800" style={{ height }}>
      <title>{label}</title>
      {bands.map((b, i) => {
        const x = ((Date.parse(b.from) - start) / total) * 1000;
        const w = Math.max(1, ((Date.parse(b.to) - Date.parse(b.from)) / total) * 1000);
        return (
          <rect key={i} x={x} y={0} width={w} height={height} className={BAND_FILL[b.state]} data-state={b.state}>
            <title>{t('band.segment', { state: t(`band.${b.state}`), from: formatDate(locale, b.from), to: formatDate(locale, b.to) })}</title>
          </rect>
        );
      })}
    </svg>
  );
}

/** The colour key of the bands. */
export function BandLegend() {
  const { t } = useUi();
  return (
    <ul className="flex flex-wrap gap-3 text-xs text-gray-700 dark:text-gray-300">
      {HISTORY_STATES.map((s) => (
        <li key={s} className="inline-flex items-center gap-1">
          <span aria-hidden className={`inline-block h-2.5 w-2.5 rounded-sm ${BAND_BG[s]}`} />
          {t(`band.${s}`)}
        </li>
      ))}
    </ul>
  );
}

/** Uptime as a percentage (one decimal below 99.95 %, two above), or "not measured". */
export function formatUptime(u: number | null, none: string): string {
  if (u === null) return none;
  const pct = u * 100;
  return `${pct >= 99.95 && pct < 100 ? pct.toFixed(2) : pct.toFixed(1)} %`;
}
