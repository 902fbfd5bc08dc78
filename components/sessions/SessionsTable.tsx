'use client';

import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSearchParams } from 'next/navigation';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { SessionDto } from '@/lib/api/session-schemas';
import type { SessionPage, SessionSummary } from '@/lib/api/list-schemas';
import { HEALTH_LEVELS, SESSION_STATES, type HealthLevel, type SessionEngineEvent, type SessionState } from '@/lib/sessions/types';
import { queryKeys } from '@/lib/ui/query-keys';
import { fetchJson } from '@/lib/ui/fetch-json';
import { capitalized, formatNumber, type MessageKey } from '@/lib/ui/i18n';
import { errorMessage, reasonText } from '@/lib/ui/session-text';
import { useUi } from '../providers';
import { useToast } from '../ui/Toast';
import { Spinner } from '../ui/ConfirmDialog';
import { useSessionStream } from './useSessionStream';
import { SessionRow, STICKY_ACTIONS } from './SessionRow';
import type { BandsDto } from '@/lib/api/health-schemas';
import type { trafficPageSchema } from '@/lib/api/operations/messages';
import type { z } from 'zod';
import { AddPhone } from './AddPhone';
import { phoneOf } from './SessionActions';
import { BulkBar, type Selection } from './BulkActions';
import { EmptyNote, Table } from '../ui/Table';
import { pageQuery, summaryQuery, viewFromParams, viewQuery, type ListFilters, type ListView } from '@/lib/ui/list-params';

const SORTS = ['id', 'phone', 'organization', 'status', 'lastConnectedAt', 'label', 'uptime'] as const;
type SortField = (typeof SORTS)[number];
const SORT_LABEL: Record<SortField, MessageKey> = { id: 'sort.id', phone: 'sort.phone', organization: 'sort.organization', status: 'sort.status', lastConnectedAt: 'sort.lastConnectedAt', label: 'sort.labelField', uptime: 'sort.uptime' };

/** How long a row that left the filter stays (marked) before the page is read again. */
const LEAVE_AFTER_MS = 5000;
/**
 * The least time between two fetches of the page's state bands caused by state changes: with
 * hundreds of phones changing state a second, a fetch per change made ~3 requests a second whose
 * answers redrew the table (ui-10k bench); a band is a 7-day picture, so a few seconds late is fine.
 */
const BANDS_REFRESH_MS = 5000;
/** A pager button that cannot be used looks it: faded, no pointer. */
const PAGER_DISABLED = 'disabled:cursor-not-allowed disabled:border-gray-300 disabled:opacity-50 dark:disabled:border-gray-700';
const INPUT = 'min-h-8 rounded border border-gray-400 px-2 py-1 text-sm dark:border-gray-500 dark:bg-gray-950';

/** The summary tiles' order: every state has a place (the compiler refuses a missing one). */
const STATE_TILE_RANK = { open: 0, qr: 1, connecting: 2, idle: 3, closing: 4, closed: 5, logged_out: 6, owner_lost: 7 } as const satisfies Record<SessionState, number>;
const STATE_TILE_ORDER = [...SESSION_STATES].sort((a, b) => STATE_TILE_RANK[a] - STATE_TILE_RANK[b]);

type Tile = { key: string; label: string; value: number; filter: Partial<ListFilters> };

export function SessionsTable({ initialPage, initialSummary, initialQs, initialSq }: { initialPage: SessionPage; initialSummary: SessionSummary; initialQs: string; initialSq: string }) {
  const { t, locale, role } = useUi();
  const toast = useToast();
  const client = useQueryClient();
  const onEvent = useCallback(
    (e: SessionEngineEvent) => {
      if (e.type === 'auto-closed') toast('error', t('toast.autoClosed', { phone: phoneOf(e), reason: reasonText(t, e.closeReason, e.reason) }));
    },
    [t, toast],
  );
  const live = useSessionStream(onEvent);
  // The view lives in the URL (issue 27.3): a reload, Back and Forward keep it, a link shares it.
  // Each change is a history entry; the search box replaces the entry it started.
  const params = useSearchParams();
  const view = viewFromParams((name) => params.get(name));
  const { filters, sort, page } = view;
  const setView = (next: Partial<ListView>, replace = false) => {
    const query = viewQuery({ ...view, ...next });
    window.history[replace ? 'replaceState' : 'pushState'](null, '', query ? `?${query}` : window.location.pathname);
  };
  const setPage = (p: number) => {
    setView({ page: Math.min(Math.max(1, p), pageCount) });
    window.scrollTo({ top: 0 });
  };
  const setSort = (s: string) => setView({ sort: s, page: 1 });
  const [search, setSearch] = useState(filters.q);
  const [selection, setSelection] = useState<Selection>({ mode: 'ids', ids: new Set() });

  // The search box applies 300 ms after the last key; Back or Forward to another search refills it.
  const [shownQ, setShownQ] = useState(filters.q);
  if (shownQ !== filters.q) {
    setShownQ(filters.q);
    if (search.trim() !== filters.q) setSearch(filters.q);
  }
  const applySearch = useRef<() => void>(() => {});
  applySearch.current = () => {
    if (search.trim() !== filters.q) setView({ filters: { ...filters, q: search.trim() }, page: 1 }, true);
  };
  useEffect(() => {
    const timer = setTimeout(() => applySearch.current(), 300);
    return () => clearTimeout(timer);
  }, [search]);

  const qs = pageQuery(filters, sort, page);
  const list = useQuery({
    queryKey: queryKeys.sessionPage(qs),
    queryFn: () => fetchJson<SessionPage>(`/api/sessions?${qs}`),
    initialData: qs === initialQs ? initialPage : undefined,
    placeholderData: keepPreviousData,
    // The stream patches rows in place; when it is down, poll.
    refetchInterval: live ? false : 3000,
  });
  const sq = summaryQuery(filters);
  const summary = useQuery({
    queryKey: queryKeys.summary(sq),
    queryFn: () => fetchJson<SessionSummary>(`/api/sessions/summary${sq ? `?${sq}` : ''}`),
    initialData: sq === initialSq ? initialSummary : undefined,
    placeholderData: keepPreviousData,
    // Counts per state follow the stream in place; health levels are refreshed now and then.
    refetchInterval: live ? 15_000 : 3000,
  });
  // The 7-day state band of every row of the page: one request per page, again each minute and
  // after a row's state changes (the stream patches the rows), at most once per BANDS_REFRESH_MS.
  const pageItems = list.data?.items ?? [];
  const pageIds = pageItems.map((r) => r.id).join(',');
  const pageStates = pageItems.map((r) => `${r.id}:${r.status}`).join(',');
  const bands = useQuery({
    queryKey: queryKeys.bands(pageIds),
    queryFn: () => fetchJson<BandsDto>(`/api/health/bands?ids=${pageIds}`),
    enabled: pageIds !== '',
    placeholderData: keepPreviousData,
    refetchInterval: 60_000,
  });
  const bandsFetchedAt = bands.dataUpdatedAt;
  // The ids and states the bands were last asked for, and when.
  const bandsAsked = useRef({ ids: pageIds, states: pageStates, at: 0 });
  useEffect(() => {
    const asked = bandsAsked.current;
    // Another page (or the first) fetches under its own key; only a change of state on this page refetches.
    if (asked.ids !== pageIds) bandsAsked.current = { ids: pageIds, states: pageStates, at: 0 };
    if (asked.ids !== pageIds || asked.states === pageStates) return;
    const timer = setTimeout(
      () => {
        bandsAsked.current = { ids: pageIds, states: pageStates, at: Date.now() };
        void client.invalidateQueries({ queryKey: queryKeys.bands(pageIds) });
      },
      Math.max(0, Math.max(asked.at, bandsFetchedAt) + BANDS_REFRESH_MS - Date.now()),
    );
    return () => clearTimeout(timer);
  }, [pageIds, pageStates, bandsFetchedAt, client]);
  // Messages per minute of every row of the page (counts only), refreshed as the minute moves on.
  const traffic = useQuery({
    queryKey: queryKeys.traffic(pageIds),
    queryFn: () => fetchJson<z.infer<typeof trafficPageSchema>>(`/api/messages/traffic?ids=${pageIds}`),
    enabled: pageIds !== '',
    placeholderData: keepPreviousData,
    refetchInterval: 15_000,
  });
  const orgs = useQuery({ queryKey: queryKeys.organizations(), queryFn: () => fetchJson<{ id: number; name: string }[]>('/api/organizations'), staleTime: 30_000 });

  const data = list.data;
  const rows: SessionDto[] = data?.items ?? [];
  // A row the stream moved out of the filter (a Start under "Closed") is marked, and leaves when
  // the page is read again, a few seconds after the last such move (issue 27.2).
  const outOfFilter = (s: SessionDto) => (filters.status !== '' && s.status !== filters.status) || (filters.health !== '' && s.health !== filters.health);
  const leaving = rows.filter(outOfFilter).map((s) => s.id).join(',');
  useEffect(() => {
    if (!leaving) return;
    const timer = setTimeout(() => void client.invalidateQueries({ queryKey: queryKeys.sessionPage(qs) }), LEAVE_AFTER_MS);
    return () => clearTimeout(timer);
  }, [leaving, client, qs]);
  const total = data?.total ?? 0;
  const pageCount = data?.pageCount ?? 1;
  const update = (patch: Partial<ListFilters>) => {
    setView({ filters: { ...filters, ...patch }, page: 1 });
    setSelection({ mode: 'ids', ids: new Set() });
  };

  const s = summary.data;
  const tiles: Tile[] = [
    { key: 'total', label: t('summary.total'), value: s?.total ?? 0, filter: { status: '', health: '' } },
    // `owner_lost` (a fleet node stopped renewing its lease) gets a tile only while some phone is in it, or it is the filter.
    ...STATE_TILE_ORDER.filter((st) => st !== 'owner_lost' || (s?.byStatus[st] ?? 0) > 0 || filters.status === st).map((st) => ({ key: st, label: t(`status.${st}`), value: s?.byStatus[st] ?? 0, filter: { status: st, health: '' as const } })),
    ...(['degraded', 'critical'] as const).map((h) => ({ key: h, label: t(`health.${h}`), value: s?.byHealth[h] ?? 0, filter: { status: '' as const, health: h } })),
  ];
  const tileActive = (tile: Tile) => tile.filter.status === filters.status && tile.filter.health === filters.health;

  const [field, dir] = sort.startsWith('-') ? [sort.slice(1) as SortField, 'desc' as const] : [sort as SortField, 'asc' as const];
  const setSortField = (f: SortField) => setSort(sort === f ? `-${f}` : sort === `-${f}` ? f : f === 'id' || f === 'lastConnectedAt' ? `-${f}` : f);
  const header = (key: SortField, label: string) => (
    <th scope="col" className="px-2 py-2 text-left font-medium" aria-sort={field === key ? (dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <button type="button" className="min-h-6 hover:underline" onClick={() => setSortField(key)} data-testid={`sort-${key}`}>
        {label} {field === key ? (dir === 'asc' ? '▲' : '▼') : ''}
      </button>
    </th>
  );

  const selectedOnPage = rows.filter((r) => selection.mode === 'all' || selection.ids.has(r.id)).length;
  // Stable while the page shows the same phones, so a row the stream did not change is not redrawn.
  const toggle = useCallback(
    (id: number) =>
      setSelection((sel) => {
        const ids = new Set(sel.mode === 'all' ? pageIds.split(',').map(Number) : sel.ids);
        if (ids.has(id)) ids.delete(id);
        else ids.add(id);
        return { mode: 'ids', ids };
      }),
    [pageIds],
  );
  const togglePage = () =>
    setSelection((sel) => {
      const ids = new Set(sel.mode === 'all' ? [] : sel.ids);
      const all = rows.every((r) => ids.has(r.id));
      for (const r of rows) {
        if (all) ids.delete(r.id);
        else ids.add(r.id);
      }
      return { mode: 'ids', ids };
    });
  const organizations = useMemo(() => (orgs.data ?? []).map((o) => o.name), [orgs.data]);

  return (
    <section className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-xl font-semibold" data-testid="sessions-title">{t('sessions.title')}</h1>
        <span data-testid="live-indicator" data-live={live} title={live ? t('sessions.liveHint') : t('sessions.staleHint')}
          className={`inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs ${live ? 'bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200' : 'bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200'}`}>
          <span aria-hidden className={`h-2 w-2 rounded-full ${live ? 'bg-emerald-600' : 'bg-amber-600'}`} />
          {live ? t('sessions.live') : t('sessions.stale')}
        </span>
      </div>

      <ul className="grid grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-10" data-testid="summary" aria-label={t('summary.label')}>
        {tiles.map((tile) => (
          <li key={tile.key}>
            <button type="button" onClick={() => update(tile.filter)} aria-pressed={tileActive(tile)} data-testid={`tile-${tile.key}`}
              className={`w-full rounded-lg border p-2 text-left ${tileActive(tile) ? 'border-emerald-700 ring-2 ring-emerald-700 dark:border-emerald-400 dark:ring-emerald-400' : 'border-gray-300 hover:bg-gray-50 dark:border-gray-700 dark:hover:bg-gray-900'}`}>
              <span className="block text-xs uppercase text-gray-700 dark:text-gray-300">{tile.label}</span>
              <span className="block text-2xl font-semibold tabular-nums" data-testid={`summary-${tile.key}`}>{formatNumber(locale, tile.value)}</span>
            </button>
          </li>
        ))}
      </ul>

      {role === 'admin' && <AddPhone organizations={organizations} />}

      <div className="flex flex-wrap items-end gap-2" role="search">
        <input type="search" aria-label={t('filter.search')} placeholder={t('filter.search')} value={search} onChange={(e) => setSearch(e.target.value)} data-testid="filter-search" className={`${INPUT} w-72 max-w-full`} />
        <select aria-label={t('filter.status')} value={filters.status} onChange={(e) => update({ status: e.target.value as SessionState | '' })} data-testid="filter-status" className={INPUT}>
          <option value="">{t('filter.status')}: {t('filter.all')}</option>
          {SESSION_STATES.map((st) => <option key={st} value={st}>{t('filter.status')}: {capitalized(locale, t(`status.${st}`))}</option>)}
        </select>
        <select aria-label={t('filter.health')} value={filters.health} onChange={(e) => update({ health: e.target.value as HealthLevel | '' })} data-testid="filter-health" className={INPUT}>
          <option value="">{t('filter.health')}: {t('filter.all')}</option>
          {HEALTH_LEVELS.map((h) => <option key={h} value={h}>{t('filter.health')}: {capitalized(locale, t(`health.${h}`))}</option>)}
        </select>
        <select aria-label={t('filter.organization')} value={filters.organizationId} onChange={(e) => update({ organizationId: e.target.value })} data-testid="filter-org" className={INPUT}>
          <option value="">{t('filter.organization')}: {t('filter.all')}</option>
          {(orgs.data ?? []).map((o) => <option key={o.id} value={String(o.id)}>{t('filter.organization')}: {o.name}</option>)}
        </select>
        <span className="inline-flex items-center gap-1">
          <select aria-label={t('sort.by')} value={field} onChange={(e) => setSort((e.target.value === 'id' || e.target.value === 'lastConnectedAt' ? '-' : '') + e.target.value)} data-testid="sort-field" className={INPUT}>
            {SORTS.map((f) => <option key={f} value={f}>{t('sort.by')}: {t(SORT_LABEL[f])}</option>)}
          </select>
          <button type="button" onClick={() => setSort(sort.startsWith('-') ? sort.slice(1) : `-${sort}`)} data-testid="sort-dir" aria-label={`${t('sort.reverse')} (${t(dir === 'asc' ? 'sort.asc' : 'sort.desc')})`} className={`${INPUT} min-w-8`}>
            {dir === 'asc' ? '▲' : '▼'}
          </button>
        </span>
        {list.isFetching && <span className="text-emerald-700"><Spinner /></span>}
      </div>

      {role === 'admin' && (
        <BulkBar selection={selection} setSelection={setSelection} total={total} pageRows={rows} selectedOnPage={selectedOnPage} listQuery={qs} />
      )}

      {list.isError && (
        <p role="alert" data-testid="list-error" className="rounded border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100">
          {(list.error as { code?: string }).code === 'unreachable' ? t('error.unreachable') : t('error.load', { error: errorMessage(t, list.error) })}
        </p>
      )}
      {total === 0 && !filters.q && !filters.status && !filters.health && !filters.organizationId && !list.isFetching ? (
        <EmptyNote testId="sessions-empty">{t('empty.sessions')}</EmptyNote>
      ) : (
        <Table testId="sessions-table" cards data-total={total} head={(
          <>
            {role === 'admin' && (
              <th scope="col" className="px-2 py-2 text-left">
                <input type="checkbox" aria-label={t('bulk.selectPage')} checked={rows.length > 0 && selectedOnPage === rows.length} onChange={togglePage} data-testid="select-page" className="h-6 w-6" />
              </th>
            )}
            {header('organization', t('col.organization'))}
            {header('phone', t('col.phone'))}
            {header('status', t('col.status'))}
            <th scope="col" className="px-2 py-2 text-left font-medium">{t('col.node')}</th>
            <th scope="col" className="px-2 py-2 text-left font-medium">{t('col.health')}</th>
            {header('uptime', t('col.uptime'))}
            <th scope="col" className="px-2 py-2 text-left font-medium">{t('col.messagesPerMinute')}</th>
            <th scope="col" className="px-2 py-2 text-left font-medium">{t('col.badMac')}</th>
            <th scope="col" className="px-2 py-2 text-left font-medium">{t('col.badDecrypt')}</th>
            {header('lastConnectedAt', t('col.lastConnected'))}
            <th scope="col" className="px-2 py-2 text-left font-medium">{t('col.lastCloseReason')}</th>
            {role === 'admin' && <th scope="col" className={`px-2 py-2 text-left font-medium md:bg-gray-50 md:dark:bg-gray-900 ${STICKY_ACTIONS}`}>{t('col.actions')}</th>}
          </>
        )}>
          {rows.length === 0 && (
            <tr><td colSpan={13} className="px-3 py-6 text-center text-gray-700 dark:text-gray-300" data-testid="sessions-none">{t('empty.filtered')}</td></tr>
          )}
          {rows.map((s) => (
            <SessionRow key={s.id} session={s} admin={role === 'admin'} selected={selection.mode === 'all' || selection.ids.has(s.id)} onToggle={toggle} leaving={outOfFilter(s)}
              band={bands.data?.phones[String(s.id)]} bandSpan={bands.data} traffic={traffic.data?.phones[String(s.id)]} />
          ))}
        </Table>
      )}
      <nav aria-label={t('page.nav')} className="flex flex-wrap items-center justify-between gap-2 text-sm" data-testid="pager">
        <span data-testid="page-info">{t('page.info', { page: formatNumber(locale, data?.page ?? page), pages: formatNumber(locale, pageCount), total: formatNumber(locale, total) })}</span>
        <span className="flex flex-wrap items-center gap-2">
          {pageCount > 2 && (
            <form className="inline-flex items-center gap-1" onSubmit={(e) => { e.preventDefault(); const n = Number(new FormData(e.currentTarget).get('page')); if (Number.isInteger(n)) setPage(n); }}>
              <label className="inline-flex items-center gap-1">{t('page.jump')}
                <input key={page} name="page" type="number" min={1} max={pageCount} defaultValue={page} data-testid="page-jump" className={`${INPUT} w-20`} />
              </label>
              <button type="submit" className={INPUT} data-testid="page-go">{t('page.go')}</button>
            </form>
          )}
          <button type="button" disabled={page <= 1} onClick={() => setPage(page - 1)} data-testid="page-prev" className={`${INPUT} ${PAGER_DISABLED}`}>{t('page.prev')}</button>
          <button type="button" disabled={page >= pageCount} onClick={() => setPage(page + 1)} data-testid="page-next" className={`${INPUT} ${PAGER_DISABLED}`}>{t('page.next')}</button>
        </span>
      </nav>
    </section>
  );
}
