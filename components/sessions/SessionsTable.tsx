'use client';

import Link from 'next/link';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import type { SessionDto } from '@/lib/api/session-schemas';
import { SESSION_STATES, type SessionState } from '@/lib/sessions/types';
import { queryKeys } from '@/lib/ui/query-keys';
import { fetchJson } from '@/lib/ui/fetch-json';
import { formatDate, serverMessage } from '@/lib/ui/i18n';
import { useUi } from '../providers';
import { useToast } from '../ui/Toast';
import { ConfirmDialog, Spinner } from '../ui/ConfirmDialog';
import { Counter, HealthBadge, StatusBadge } from './Badges';
import { useSessionStream } from './useSessionStream';
import { AddPhone } from './AddPhone';

type SortKey = 'organizationName' | 'phoneJid' | 'status' | 'health' | 'badMac' | 'badDecrypt' | 'lastConnectedAt';
// On a phone screen each row becomes a two-column card; the header's labels move into the cells.
const CELL = 'px-3 py-2 max-md:block max-md:px-0 max-md:py-1 max-md:before:block max-md:before:text-xs max-md:before:uppercase max-md:before:text-gray-500 max-md:before:content-[attr(data-label)]';
const HEALTH_ORDER = { healthy: 0, degraded: 1, critical: 2, closed: 3 };

const number = (jid: string) => jid.split('@')[0];

function sortValue(s: SessionDto, key: SortKey): string | number {
  switch (key) {
    case 'badMac':
      return s.stats.badMacErrors;
    case 'badDecrypt':
      return s.stats.badDecryptErrors;
    case 'health':
      return HEALTH_ORDER[s.health];
    case 'lastConnectedAt':
      return s.lastConnectedAt ?? '';
    default:
      return s[key];
  }
}

export function SessionsTable({ initial }: { initial: SessionDto[] }) {
  const { t, locale, role } = useUi();
  const live = useSessionStream();
  const sessions = useQuery({
    queryKey: queryKeys.sessions(),
    queryFn: () => fetchJson<SessionDto[]>('/api/sessions'),
    initialData: initial,
    // The stream drives updates; when it is down, poll.
    refetchInterval: live ? false : 3000,
  });
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<SessionState | ''>('');
  const [org, setOrg] = useState('');
  const [sort, setSort] = useState<{ key: SortKey; dir: 1 | -1 }>({ key: 'organizationName', dir: 1 });
  const [confirm, setConfirm] = useState<{ kind: 'restart' | 'close'; session: SessionDto } | null>(null);

  const data = useMemo(() => sessions.data ?? [], [sessions.data]);
  const organizations = useMemo(() => [...new Set(data.map((s) => s.organizationName))].sort(), [data]);
  const rows = useMemo(() => {
    const q = search.replace(/\D/g, '');
    return data
      .filter((s) => (!q || number(s.phoneJid).includes(q)) && (!status || s.status === status) && (!org || s.organizationName === org))
      .sort((a, b) => {
        const x = sortValue(a, sort.key);
        const y = sortValue(b, sort.key);
        return (x < y ? -1 : x > y ? 1 : a.id - b.id) * sort.dir;
      });
  }, [data, search, status, org, sort]);

  const summary = {
    total: data.length,
    connected: data.filter((s) => s.status === 'open').length,
    warning: data.filter((s) => s.health === 'degraded' || s.health === 'critical' || !s.stats.isHealthy).length,
    closed: data.filter((s) => s.status === 'closed' || s.status === 'logged_out').length,
  };

  const header = (key: SortKey, label: string) => (
    <th scope="col" className="px-3 py-2 text-left font-medium" aria-sort={sort.key === key ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none'}>
      <button type="button" className="hover:underline" onClick={() => setSort((s) => ({ key, dir: s.key === key ? (s.dir === 1 ? -1 : 1) : 1 }))}>
        {label} {sort.key === key ? (sort.dir === 1 ? '▲' : '▼') : ''}
      </button>
    </th>
  );

  return (
    <section className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-xl font-semibold" data-testid="sessions-title">{t('sessions.title')}</h1>
        <span data-testid="live-indicator" data-live={live} title={live ? t('sessions.liveHint') : t('sessions.staleHint')}
          className={`inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs ${live ? 'bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300' : 'bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-300'}`}>
          <span aria-hidden className={`h-2 w-2 rounded-full ${live ? 'bg-emerald-500' : 'bg-amber-500'}`} />
          {live ? t('sessions.live') : t('sessions.stale')}
        </span>
      </div>

      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4" data-testid="summary" aria-label={t('summary.label')}>
        {(['total', 'connected', 'warning', 'closed'] as const).map((k) => (
          <div key={k} className="rounded-lg border border-gray-200 p-3 dark:border-gray-800">
            <dt className="text-xs uppercase text-gray-500">{t(`summary.${k}`)}</dt>
            <dd className="text-2xl font-semibold tabular-nums" data-testid={`summary-${k}`}>{summary[k]}</dd>
          </div>
        ))}
      </dl>

      {role === 'admin' && <AddPhone organizations={organizations} />}

      <div className="flex flex-wrap gap-2">
        <input aria-label={t('filter.search')} placeholder={t('filter.search')} value={search} onChange={(e) => setSearch(e.target.value)} data-testid="filter-search"
          className="rounded border border-gray-300 px-2 py-1 text-sm dark:border-gray-700 dark:bg-gray-950" />
        <select aria-label={t('filter.status')} value={status} onChange={(e) => setStatus(e.target.value as SessionState | '')} data-testid="filter-status"
          className="rounded border border-gray-300 px-2 py-1 text-sm dark:border-gray-700 dark:bg-gray-950">
          <option value="">{t('filter.status')}: {t('filter.all')}</option>
          {SESSION_STATES.map((s) => <option key={s} value={s}>{t(`status.${s}`)}</option>)}
        </select>
        <select aria-label={t('filter.organization')} value={org} onChange={(e) => setOrg(e.target.value)} data-testid="filter-org"
          className="rounded border border-gray-300 px-2 py-1 text-sm dark:border-gray-700 dark:bg-gray-950">
          <option value="">{t('filter.organization')}: {t('filter.all')}</option>
          {organizations.map((o) => <option key={o} value={o}>{o}</option>)}
        </select>
      </div>

      {sessions.isError && <p role="alert" className="text-sm text-red-600">{t('error.load', { error: sessions.error.message })}</p>}
      {data.length === 0 ? (
        <p className="rounded border border-dashed border-gray-300 p-6 text-center text-sm text-gray-500 dark:border-gray-700" data-testid="sessions-empty">{t('empty.sessions')}</p>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-gray-200 dark:border-gray-800">
          <table className="min-w-full text-sm max-md:block" data-testid="sessions-table">
            <thead className="bg-gray-50 max-md:sr-only dark:bg-gray-900">
              <tr>
                {header('organizationName', t('col.organization'))}
                {header('phoneJid', t('col.phone'))}
                {header('status', t('col.status'))}
                {header('health', t('col.health'))}
                {header('badMac', t('col.badMac'))}
                {header('badDecrypt', t('col.badDecrypt'))}
                {header('lastConnectedAt', t('col.lastConnected'))}
                <th scope="col" className="px-3 py-2 text-left font-medium">{t('col.lastCloseReason')}</th>
                {role === 'admin' && <th scope="col" className="px-3 py-2 text-left font-medium">{t('col.actions')}</th>}
              </tr>
            </thead>
            <tbody className="max-md:block">
              {rows.length === 0 && (
                <tr><td colSpan={9} className="px-3 py-6 text-center text-gray-500">{t('empty.filtered')}</td></tr>
              )}
              {rows.map((s) => (
                <tr key={s.id} data-testid={`session-row-${number(s.phoneJid)}`} className="border-t border-gray-100 dark:border-gray-800 max-md:grid max-md:grid-cols-2 max-md:gap-x-4 max-md:px-3 max-md:py-2">
                  <td data-label={t('col.organization')} className={CELL}>{s.organizationName}</td>
                  <td data-label={t('col.phone')} className={`${CELL} font-mono`}>
                    <Link href={`/sessions/${s.id}`} className="text-emerald-700 hover:underline dark:text-emerald-400">+{number(s.phoneJid)}</Link>
                    {s.label && <span className="ml-2 text-xs text-gray-500">{s.label}</span>}
                    {s.proxyHost && <span className="block text-xs text-gray-500" data-testid={`proxy-${s.id}`} title={t('col.proxy')}>{t('proxy.via', { host: s.proxyHost })}</span>}
                  </td>
                  <td data-label={t('col.status')} className={CELL}><StatusBadge status={s.status} testId={`status-${s.id}`} /></td>
                  <td data-label={t('col.health')} className={CELL}><HealthBadge health={s.health} testId={`health-${s.id}`} /></td>
                  <td data-label={t('col.badMac')} className={CELL}><Counter value={s.stats.badMacErrors} max={s.stats.maxBadMacErrors} testId={`badmac-${s.id}`} /></td>
                  <td data-label={t('col.badDecrypt')} className={CELL}><Counter value={s.stats.badDecryptErrors} max={s.stats.maxBadDecryptErrors} testId={`baddecrypt-${s.id}`} /></td>
                  <td data-label={t('col.lastConnected')} className={`${CELL} whitespace-nowrap`}>{s.lastConnectedAt ? formatDate(locale, s.lastConnectedAt) : t('never')}</td>
                  <td data-label={t('col.lastCloseReason')} className={`${CELL} text-gray-600 max-md:col-span-2 dark:text-gray-400`} data-testid={`reason-${s.id}`}>{s.lastCloseReason ?? '—'}</td>
                  {role === 'admin' && (
                    <td data-label={t('col.actions')} className={`${CELL} whitespace-nowrap max-md:col-span-2`}>
                      <RowActions session={s} onAsk={(kind) => setConfirm({ kind, session: s })} />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {confirm && <ConfirmAction {...confirm} onDone={() => setConfirm(null)} />}
    </section>
  );
}

function RowActions({ session, onAsk }: { session: SessionDto; onAsk: (kind: 'restart' | 'close') => void }) {
  const { t } = useUi();
  const running = session.status === 'open' || session.status === 'connecting' || session.status === 'qr';
  return (
    <div className="flex gap-2">
      <button type="button" data-testid={`restart-${session.id}`} onClick={() => onAsk('restart')}
        className="rounded border border-gray-300 px-2 py-1 text-xs hover:bg-gray-100 dark:border-gray-700 dark:hover:bg-gray-800">
        {t('action.restart')}
      </button>
      <button type="button" data-testid={`close-${session.id}`} disabled={!running} onClick={() => onAsk('close')}
        className="rounded border border-red-300 px-2 py-1 text-xs text-red-700 hover:bg-red-50 disabled:opacity-40 dark:border-red-800 dark:text-red-400 dark:hover:bg-red-950">
        {t('action.close')}
      </button>
    </div>
  );
}

function ConfirmAction({ kind, session, onDone }: { kind: 'restart' | 'close'; session: SessionDto; onDone: () => void }) {
  const { t } = useUi();
  const toast = useToast();
  const client = useQueryClient();
  const phone = '+' + number(session.phoneJid);
  const mutation = useMutation({
    mutationFn: (reason: string) =>
      fetchJson<{ message: string }>(`/api/sessions/${session.id}/${kind}`, { method: 'POST', body: kind === 'close' ? (reason ? { reason } : {}) : undefined }),
    onSuccess: (res) => {
      toast('success', serverMessage(t, res.message));
      void client.invalidateQueries({ queryKey: queryKeys.sessions() });
      onDone();
    },
    onError: (err: Error) => toast('error', t('toast.failed', { error: err.message })),
  });
  return (
    <ConfirmDialog
      title={t(kind === 'restart' ? 'confirm.restartTitle' : 'confirm.closeTitle', { phone })}
      body={t(kind === 'restart' ? 'confirm.restartBody' : 'confirm.closeBody')}
      withReason={kind === 'close'}
      pending={mutation.isPending}
      onConfirm={(reason) => mutation.mutate(reason)}
      onCancel={onDone}
    />
  );
}

export { Spinner };
