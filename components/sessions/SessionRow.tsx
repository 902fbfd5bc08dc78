'use client';

import Link from 'next/link';
import { memo } from 'react';
import type { SessionDto } from '@/lib/api/session-schemas';
import type { Band } from '@/lib/health/history';
import { reasonText, shownCounters } from '@/lib/ui/session-text';
import { useUi } from '../providers';
import { RelativeTime } from '../ui/RelativeTime';
import { CARD_CELL } from '../ui/Table';
import { formatUptime, StateBand } from '../health/StateBand';
import { OwnerLostCountdown } from '../nodes/OwnerLostCountdown';
import { CloseWarning, Counter, HealthBadge, HealthReasonNote, StatusBadge } from './Badges';
import { phoneOf, SessionActions } from './SessionActions';

// On a phone screen each row becomes a card; the header's labels move into the cells.
const CELL = `px-2 ${CARD_CELL}`;
/** The actions column stays in view at the table's right edge when a wide table (Russian words, a narrow window) scrolls sideways. */
export const STICKY_ACTIONS = 'md:sticky md:right-0 md:border-l md:border-gray-200 md:dark:border-gray-800';

const number = (jid: string) => jid.split('@')[0];

interface SessionRowProps {
  session: SessionDto;
  admin: boolean;
  selected: boolean;
  onToggle: (id: number) => void;
  /** The stream moved the phone out of the list's filter: marked until the page is read again. */
  leaving: boolean;
  /** The phone's 7-day state band and the span it covers (none until the bands are read). */
  band: Band[] | undefined;
  bandSpan: { from: string; to: string } | undefined;
  traffic: { inPerMinute: number; outPerMinute: number } | undefined;
}

/**
 * One phone of the sessions table. Memoized: the stream patches a few rows at a time, and at
 * hundreds of events a second redrawing every row of the page kept the browser behind (ui-10k).
 */
export const SessionRow = memo(function SessionRow({ session: s, admin, selected, onToggle, leaving, band, bandSpan, traffic }: SessionRowProps) {
  const { t } = useUi();
  return (
    <tr data-testid={`session-row-${number(s.phoneJid)}`} data-id={s.id} data-leaving={leaving || undefined} className="data-[leaving]:bg-amber-50 dark:data-[leaving]:bg-amber-950/40 border-t border-gray-200 dark:border-gray-800 max-md:grid max-md:grid-cols-2 max-md:gap-x-4 max-md:px-3 max-md:py-2">
      {admin && (
        <td className={`${CELL} max-md:col-span-2 max-md:before:content-none`}>
          <input type="checkbox" aria-label={`${t('col.select')} ${phoneOf(s)}`} checked={selected} onChange={() => onToggle(s.id)} data-testid={`select-${s.id}`} className="h-6 w-6" />
        </td>
      )}
      <td data-label={t('col.organization')} className={CELL}>{s.organizationName}</td>
      <td data-label={t('col.phone')} className={`${CELL} font-mono`}>
        <Link href={`/sessions/${s.id}`} className="inline-block min-h-6 text-emerald-800 underline-offset-2 hover:underline dark:text-emerald-300">+{number(s.phoneJid)}</Link>
        {s.label && <span className="ml-2 text-xs text-gray-700 dark:text-gray-300">{s.label}</span>}
        {s.proxyHost && <span className="block text-xs text-gray-700 dark:text-gray-300" data-testid={`proxy-${s.id}`} title={t('col.proxy')}>{t('proxy.via', { host: s.proxyHost })}</span>}
      </td>
      <td data-label={t('col.status')} className={CELL}>
        <StatusBadge status={s.status} testId={`status-${s.id}`} />
        {s.status === 'owner_lost' && <OwnerLostCountdown until={s.ownerLeaseEndsAt} testId={`moving-${s.id}`} />}
        {leaving && <span className="mt-1 block text-xs text-amber-900 dark:text-amber-200" data-testid={`leaving-${s.id}`}>{t('row.leaving')}</span>}
      </td>
      <td data-label={t('col.node')} className={`${CELL} font-mono text-xs max-md:[overflow-wrap:anywhere] md:whitespace-nowrap`} data-testid={`node-${s.id}`}>{s.node ?? '—'}</td>
      <td data-label={t('col.health')} className={CELL}>
        <HealthBadge health={s.health} status={s.status} testId={`health-${s.id}`} />
        <HealthReasonNote reason={s.healthReason} testId={`health-reason-${s.id}`} />
      </td>
      <td data-label={t('col.uptime')} className={`${CELL} min-w-28`}>
        <span data-testid={`uptime-${s.id}`} data-below={s.belowObjective} title={s.belowObjective ? t('uptime.below') : undefined} className={`tabular-nums ${s.belowObjective ? 'font-semibold text-red-800 dark:text-red-300' : ''}`}>
          {s.belowObjective && <span aria-hidden>⚠ </span>}
          {formatUptime(s.uptime7d, t('uptime.none'))}
        </span>
        {s.belowObjective && <span className="sr-only"> ({t('uptime.below')})</span>}
        {bandSpan && (
          <span className="mt-1 block w-28">
            <StateBand bands={band ?? []} from={bandSpan.from} to={bandSpan.to} span={t('history.span7d')} height={8} testId={`band-${s.id}`} />
          </span>
        )}
      </td>
      <td data-label={t('col.messagesPerMinute')} className={`${CELL} tabular-nums`} data-testid={`traffic-${s.id}`}>
        {traffic ? `${traffic.inPerMinute} / ${traffic.outPerMinute}` : '–'}
      </td>
      <td data-label={t('col.badMac')} className={CELL}>
        <Counter value={shownCounters(s.status, s.stats, s.lastClose).badMacErrors} max={s.stats.maxBadMacErrors} testId={`badmac-${s.id}`} />
        <CloseWarning status={s.status} stats={s.stats} testId={`next-close-${s.id}`} />
      </td>
      <td data-label={t('col.badDecrypt')} className={CELL}><Counter value={shownCounters(s.status, s.stats, s.lastClose).badDecryptErrors} max={s.stats.maxBadDecryptErrors} testId={`baddecrypt-${s.id}`} /></td>
      <td data-label={t('col.lastConnected')} className={`${CELL} whitespace-nowrap`}><RelativeTime iso={s.lastConnectedAt} empty={t('never')} testId={`last-connected-${s.id}`} /></td>
      <td data-label={t('col.lastCloseReason')} className={`${CELL} text-gray-700 max-md:col-span-2 dark:text-gray-300`} data-testid={`reason-${s.id}`} title={s.lastCloseReason ?? undefined}>{reasonText(t, s.lastClose, s.lastCloseReason, { node: s.node })}</td>
      {admin && (
        <td data-label={t('col.actions')} className={`${CELL} max-md:col-span-2 md:bg-white md:dark:bg-gray-950 ${STICKY_ACTIONS}`}>
          <SessionActions session={s} />
        </td>
      )}
    </tr>
  );
});
