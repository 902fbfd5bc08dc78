'use client';

import { useQuery } from '@tanstack/react-query';
import type { PhoneHistoryDto } from '@/lib/api/health-schemas';
import { fetchJson } from '@/lib/ui/fetch-json';
import { RelativeTime } from '../ui/RelativeTime';
import { queryKeys } from '@/lib/ui/query-keys';
import { reasonText } from '@/lib/ui/session-text';
import type { CloseReason } from '@/lib/sessions/reasons';
import { useUi } from '../providers';
import { BandLegend, formatUptime, StateBand } from './StateBand';

const DAY = 24 * 3600_000;

const duration = (ms: number | null) => (ms === null ? '—' : ms < 1000 ? `${Math.round(ms)} ms` : ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`);

/** The phone page's history: 24 h and 7 d state bands, uptime, drops per day, reconnect times, last closes. */
export function HistoryPanel({ phoneId }: { phoneId: number }) {
  const { t } = useUi();
  const { data, isError } = useQuery({
    queryKey: queryKeys.sessionHistory(phoneId),
    queryFn: () => fetchJson<PhoneHistoryDto>(`/api/sessions/${phoneId}/history`),
    refetchInterval: 60_000,
  });
  if (isError) return null;
  if (!data) return <section aria-busy className="h-32" />;
  const to = Date.parse(data.to);
  const day = data.bands
    .filter((b) => Date.parse(b.to) > to - DAY)
    .map((b) => ({ ...b, from: new Date(Math.max(Date.parse(b.from), to - DAY)).toISOString() }));
  const maxDrops = Math.max(1, ...data.dropsPerDay.map((d) => d.count));
  return (
    <section className="space-y-3" data-testid="history">
      <h2 className="font-semibold">{t('history.title')}</h2>
      <dl className="grid grid-cols-2 gap-3 text-sm sm:grid-cols-5">
        {(['24h', '7d', '30d'] as const).map((w) => (
          <div key={w} className="rounded-lg border border-gray-200 p-2 dark:border-gray-800">
            <dt className="text-xs uppercase text-gray-700 dark:text-gray-300">{t('history.uptime')} {t(`history.uptime${w}`)}</dt>
            <dd className="tabular-nums" data-testid={`history-uptime-${w}`}>{formatUptime(data.uptime[w], t('uptime.none'))}</dd>
          </div>
        ))}
        <div className="rounded-lg border border-gray-200 p-2 dark:border-gray-800">
          <dt className="text-xs uppercase text-gray-700 dark:text-gray-300">{t('history.drops')} ({t('history.span7d')})</dt>
          <dd className="tabular-nums" data-testid="history-drops">{data.drops}</dd>
        </div>
        <div className="rounded-lg border border-gray-200 p-2 dark:border-gray-800">
          <dt className="text-xs uppercase text-gray-700 dark:text-gray-300">{t('history.reconnect')}</dt>
          <dd className="tabular-nums">{duration(data.reconnect.p50Ms)} / {duration(data.reconnect.p95Ms)}</dd>
        </div>
      </dl>
      <div className="space-y-1">
        <p className="text-xs text-gray-700 dark:text-gray-300">{t('history.span24h')}</p>
        <StateBand bands={day} from={new Date(to - DAY).toISOString()} to={data.to} span={t('history.span24h')} height={16} testId="band-24h" />
        <p className="text-xs text-gray-700 dark:text-gray-300">{t('history.span7d')}</p>
        <StateBand bands={data.bands} from={data.from} to={data.to} span={t('history.span7d')} height={16} testId="band-7d" />
        <BandLegend />
      </div>
      <div>
        <h3 className="mb-1 text-sm font-medium">{t('history.dropsPerDay')}</h3>
        <ol className="flex h-16 items-end gap-1" data-testid="drops-per-day">
          {data.dropsPerDay.map((d) => (
            <li key={d.day} className="flex h-full flex-1 flex-col items-center justify-end" title={`${d.day}: ${d.count}`}>
              <span className="text-[10px] tabular-nums text-gray-700 dark:text-gray-300">{d.count || ''}</span>
              <span aria-hidden className="w-full rounded-t bg-red-600 dark:bg-red-400" style={{ height: `${(d.count / maxDrops) * 70}%` }} />
              <span className="text-[10px] text-gray-700 dark:text-gray-300">{d.day.slice(5)}</span>
            </li>
          ))}
        </ol>
      </div>
      <div>
        <h3 className="mb-1 text-sm font-medium">{t('history.lastCloses')}</h3>
        {data.lastCloses.length === 0 ? (
          <p className="text-sm text-gray-700 dark:text-gray-300">{t('history.noCloses')}</p>
        ) : (
          <ol className="space-y-1 text-sm" data-testid="last-closes">
            {data.lastCloses.map((c) => (
              <li key={c.at} className="flex flex-col gap-x-3 border-b border-gray-100 py-1 sm:flex-row dark:border-gray-800">
                <RelativeTime iso={c.at} className="shrink-0 text-gray-700 dark:text-gray-300 sm:w-40" />
                <span className="min-w-0 [overflow-wrap:anywhere]">
                  {reasonText(t, c.reason as CloseReason | null)}
                  {c.code !== null && <span className="ml-2 text-xs text-gray-700 dark:text-gray-300">{t('history.code', { code: c.code })}</span>}
                  <span className="ml-2 text-xs text-gray-700 dark:text-gray-300">{c.reconnectMs === null ? t('history.stillDown') : duration(c.reconnectMs)}</span>
                </span>
              </li>
            ))}
          </ol>
        )}
      </div>
    </section>
  );
}
