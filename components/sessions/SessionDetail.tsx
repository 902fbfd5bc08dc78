'use client';

import Link from 'next/link';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient, type InfiniteData, type QueryKey } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type { SessionDto, SessionEventDto, trafficSchema } from '@/lib/api/session-schemas';
import type { z } from 'zod';
import type { AuditEntry } from '@/lib/audit';
import { queryKeys } from '@/lib/ui/query-keys';
import { mergeNewestPage } from '@/lib/ui/timeline';
import { fetchJson } from '@/lib/ui/fetch-json';
import { RelativeTime } from '../ui/RelativeTime';
import { auditText, errorMessage, reasonText, shownCounters, timelineText } from '@/lib/ui/session-text';
import type { SessionEngineEvent } from '@/lib/sessions/types';
import { ENGINE_CLIENTS, ENGINE_NAMES } from '@/lib/sessions/engines/types';
import { DEMO_FAULT_TYPES, type DemoFaultType } from '@/lib/demo-fault-types';
import { phoneOf, SessionActions } from './SessionActions';
import { useUi } from '../providers';
import { useToast } from '../ui/Toast';
import { ConfirmDialog, Spinner } from '../ui/ConfirmDialog';
import { SubmitButton } from '../ui/SubmitButton';
import { CloseWarning, Counter, HealthBadge, HealthReasonNote, StatusBadge } from './Badges';
import { OwnerLostCountdown } from '../nodes/OwnerLostCountdown';
import { useSessionStream } from './useSessionStream';
import { HistoryPanel } from '../health/HistoryPanel';
import { MessagesPanel } from '../messages/MessagesPanel';
import { applyMessageEvent } from '../messages/live';

type Detail = SessionDto & { events: SessionEventDto[] };
/** The phone's keys that live events must not refetch wholesale: the paged timeline, the messages (patched from their own events). */
const isPagedList = (key: QueryKey) => key[2] === 'events' || key[2] === 'messages';
type EventPage = { items: SessionEventDto[]; nextCursor: number | null };
/** Events per timeline page: the detail's first page has as many (lib/phones/service.ts). */
const EVENTS_PAGE = 50;

export function SessionDetail({ initial, audit: initialAudit }: { initial: Detail; audit: AuditEntry[] }) {
  const { t, simulator, role } = useUi();
  const toast = useToast();
  const client = useQueryClient();
  // The timeline and audit of this phone follow its own events (one refetch per burst).
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => { if (timer.current) clearTimeout(timer.current); }, []);
  // The newest timeline page read again and merged: loaded older pages stay (lib/ui/timeline.ts).
  // Reads can overlap on a slow server: only the latest one started is applied (an older answer
  // landing last would put back an older first page and its cursor).
  const refreshSeq = useRef(0);
  const refreshNewestEvents = useCallback(async () => {
    const key = queryKeys.sessionEvents(initial.id);
    const seq = ++refreshSeq.current;
    try {
      const fresh = await fetchJson<EventPage>(`/api/sessions/${initial.id}/events?limit=${EVENTS_PAGE}`);
      if (seq !== refreshSeq.current) return;
      // "Older events" is loading: its answer is put on the pages it started from, so a change
      // made now would be lost; read again once it is in.
      if (client.getQueryState(key)?.fetchStatus === 'fetching') {
        setTimeout(() => void refreshNewestEvents(), 300);
        return;
      }
      let gap = false;
      client.setQueryData<InfiniteData<EventPage>>(key, (old) => {
        if (!old) return old;
        const merged = mergeNewestPage(old, fresh);
        gap = merged === null;
        return (merged as InfiniteData<EventPage> | null) ?? old;
      });
      if (gap) void client.invalidateQueries({ queryKey: key, exact: true });
    } catch {
      // the next event (or the stream's catch-up) tries again
    }
  }, [client, initial.id]);
  const onEvent = useCallback(
    (e: SessionEngineEvent) => {
      if (e.phoneId !== initial.id) return;
      applyMessageEvent(client, e);
      if (e.type === 'auto-closed') toast('error', t('toast.autoClosed', { phone: phoneOf(e), reason: reasonText(t, e.closeReason, e.reason) }));
      if (timer.current) return;
      timer.current = setTimeout(() => {
        timer.current = null;
        // Everything under the phone's key but the lists that page or follow their own events:
        // refetching every timeline page raced "Older events" and could drop what it loaded.
        void client.invalidateQueries({ queryKey: queryKeys.session(initial.id), predicate: (q) => !isPagedList(q.queryKey) });
        void refreshNewestEvents();
      }, 300);
    },
    [client, initial.id, t, toast, refreshNewestEvents],
  );
  const live = useSessionStream(onEvent);
  // The timeline and audit, or the phone's messages (components/messages).
  const [tab, setTab] = useState<'activity' | 'messages'>('activity');
  const { data } = useQuery({
    queryKey: queryKeys.session(initial.id),
    queryFn: () => fetchJson<Detail>(`/api/sessions/${initial.id}`),
    initialData: initial,
    refetchInterval: live ? false : 3000,
  });
  const auditQuery = useQuery({
    queryKey: queryKeys.sessionAudit(initial.id),
    queryFn: () => fetchJson<{ items: AuditEntry[] }>(`/api/audit?targetType=phone&targetId=${initial.id}&limit=50`).then((r) => r.items),
    initialData: initialAudit,
    refetchInterval: live ? false : 3000,
  });
  // The timeline: the newest events came with the page; "Older events" pages back with `before=`
  // (issue 27.4). A refetch walks the same pages again from the newest, so none is skipped.
  const timeline = useInfiniteQuery({
    queryKey: queryKeys.sessionEvents(initial.id),
    queryFn: ({ pageParam }) => fetchJson<EventPage>(`/api/sessions/${initial.id}/events?limit=${EVENTS_PAGE}${pageParam ? `&before=${pageParam}` : ''}`),
    initialPageParam: 0,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    initialData: { pages: [{ items: initial.events, nextCursor: initial.events.length >= EVENTS_PAGE ? initial.events[initial.events.length - 1].id : null }], pageParams: [0] },
    refetchInterval: live ? false : 3000,
  });
  const events = timeline.data.pages.flatMap((p) => p.items);
  const audit = auditQuery.data;
  const phone = '+' + data.phoneJid.split('@')[0];
  return (
    <section className="space-y-6">
      <Link href="/" className="inline-block min-h-6 text-sm text-emerald-800 hover:underline dark:text-emerald-300">{t('detail.back')}</Link>
      <h1 className="text-xl font-semibold">{t('detail.title', { phone })}</h1>
      <SessionActions session={data} layout="page" />
      <CloseWarning status={data.status} stats={data.stats} testId="detail-next-close" block />
      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4">
        <Item label={t('detail.state')}>
          <StatusBadge status={data.status} testId="detail-status" />
          {data.status === 'owner_lost' && <OwnerLostCountdown until={data.ownerLeaseEndsAt} testId="detail-moving" />}
        </Item>
        <Item label={t('col.node')}><span className="font-mono text-sm" data-testid="detail-node">{data.node ?? '—'}</span></Item>
        <Item label={t('detail.health')}>
          <HealthBadge health={data.health} status={data.status} testId="detail-health" />
          <HealthReasonNote reason={data.healthReason} testId="detail-health-reason" />
        </Item>
        <Item label={t('col.badMac')}><Counter value={shownCounters(data.status, data.stats, data.lastClose).badMacErrors} max={data.stats.maxBadMacErrors} testId="detail-badmac" /></Item>
        <Item label={t('col.badDecrypt')}><Counter value={shownCounters(data.status, data.stats, data.lastClose).badDecryptErrors} max={data.stats.maxBadDecryptErrors} testId="detail-baddecrypt" /></Item>
        <Item label={t('col.organization')}>{data.organizationName}</Item>
        <Item label={t('col.lastConnected')}><RelativeTime iso={data.lastConnectedAt} empty={t('never')} testId="detail-last-connected" /></Item>
        <Item label={t('col.lastCloseReason')}><span data-testid="detail-reason" title={data.lastCloseReason ?? undefined}>{reasonText(t, data.lastClose, data.lastCloseReason, { node: data.node })}</span></Item>
        <Item label={t('col.proxy')}><span className="font-mono text-sm [overflow-wrap:anywhere]" data-testid="detail-proxy">{data.proxyUrl ?? t('proxy.direct')}</span></Item>
        <Item label={t('detail.engine')}><span className="font-mono text-sm" data-testid="detail-engine">{data.engine}</span></Item>
        <Item label={t('detail.waVersion')}><span className="font-mono text-sm" data-testid="detail-wa-version">{data.waVersion ?? '—'}</span></Item>
        <Item label={t('detail.lid')}><span className="font-mono text-sm [overflow-wrap:anywhere]" data-testid="detail-lid">{data.lid ?? '—'}</span></Item>
      </dl>
      <TrafficPanel phoneId={data.id} live={live} />
      <HistoryPanel phoneId={data.id} />
      {role === 'admin' && <SettingsPanel session={data} phone={phone} />}
      {simulator && role === 'admin' && <FaultPanel phoneId={data.id} />}
      <div role="tablist" aria-label={t('detail.title', { phone })} className="flex gap-1 border-b border-gray-200 dark:border-gray-800">
        {(['activity', 'messages'] as const).map((name) => (
          <button key={name} type="button" role="tab" id={`tab-${name}`} aria-controls={tab === name ? `panel-${name}` : undefined} aria-selected={tab === name} onClick={() => setTab(name)} data-testid={`tab-${name}`}
            className={`-mb-px min-h-8 border-b-2 px-3 py-1 text-sm font-medium ${tab === name ? 'border-emerald-700 text-emerald-800 dark:border-emerald-400 dark:text-emerald-300' : 'border-transparent text-gray-700 hover:text-gray-900 dark:text-gray-300'}`}>
            {t(name === 'activity' ? 'detail.tabActivity' : 'detail.tabMessages')}
          </button>
        ))}
      </div>
      {tab === 'messages' && (
        <div role="tabpanel" id="panel-messages" aria-labelledby="tab-messages">
          <MessagesPanel phoneId={data.id} live={live} />
        </div>
      )}
      {tab === 'activity' && (
        <div role="tabpanel" id="panel-activity" aria-labelledby="tab-activity" className="grid gap-6 lg:grid-cols-2 [&>*]:min-w-0">
          <div>
            <h2 className="mb-2 font-semibold">{t('detail.timeline')}</h2>
            {events.length === 0 ? (
              <p className="text-sm text-gray-700 dark:text-gray-300">{t('detail.noEvents')}</p>
            ) : (
              <ol className="space-y-1 text-sm" data-testid="timeline">
                {events.map((e) => (
                  <li key={e.id} className="flex flex-col gap-x-3 border-b border-gray-100 py-1 sm:flex-row dark:border-gray-800">
                    <RelativeTime iso={e.createdAt} className="shrink-0 text-gray-700 dark:text-gray-300 sm:w-40" />
                    <span className="min-w-0 text-gray-800 [overflow-wrap:anywhere] dark:text-gray-200" data-type={e.type} title={e.message ?? undefined}>{timelineText(t, e)}</span>
                  </li>
                ))}
              </ol>
            )}
            {timeline.hasNextPage && (
              <button type="button" onClick={() => void timeline.fetchNextPage()} disabled={timeline.isFetchingNextPage} data-testid="timeline-older"
                className="mt-2 inline-flex min-h-8 items-center gap-2 rounded border border-gray-400 px-2 py-1 text-sm disabled:opacity-50 dark:border-gray-500">
                {timeline.isFetchingNextPage && <Spinner />}
                {t('detail.olderEvents')}
              </button>
            )}
          </div>
          <div>
            <h2 className="mb-2 font-semibold">{t('detail.audit')}</h2>
            {audit.length === 0 ? <p className="text-sm text-gray-700 dark:text-gray-300">{t('audit.empty')}</p> : (
              <ol className="space-y-1 text-sm" data-testid="detail-audit">
                {audit.map((a) => (
                  <li key={a.id} className="flex flex-col gap-x-3 border-b border-gray-100 py-1 sm:flex-row dark:border-gray-800">
                    <RelativeTime iso={a.createdAt} className="shrink-0 text-gray-700 dark:text-gray-300 sm:w-40" />
                    <span className="min-w-0 [overflow-wrap:anywhere]">{auditText(t, a) ?? `${a.actorName}: ${a.action}${a.reason ? ` — ${a.reason}` : ''}`} ({a.result})</span>
                  </li>
                ))}
              </ol>
            )}
          </div>
        </div>
      )}
    </section>
  );
}

type Traffic = z.infer<typeof trafficSchema>;

/** The phone's message traffic (GET /api/sessions/:id/stats → traffic): counts and times, never content. */
function TrafficPanel({ phoneId, live }: { phoneId: number; live: boolean }) {
  const { t } = useUi();
  const { data } = useQuery({
    queryKey: queryKeys.sessionStats(phoneId),
    queryFn: () => fetchJson<{ traffic: Traffic }>(`/api/sessions/${phoneId}/stats`).then((r) => r.traffic),
    // The per-minute counts age by themselves: refreshed every 15 s besides the phone's events.
    refetchInterval: live ? 15_000 : 3000,
  });
  if (!data) return null;
  const failures = Object.entries(data.failuresByCode).filter(([, n]) => n);
  const ms = (v: number) => (v < 1000 ? `${Math.round(v)} ms` : `${(v / 1000).toFixed(1)} s`);
  return (
    <div>
      <h2 className="mb-2 font-semibold">{t('traffic.title')}</h2>
      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4" data-testid="traffic">
        <Item label={t('traffic.perMinute')}><span data-testid="traffic-rate">{data.inPerMinute} / {data.outPerMinute}</span></Item>
        <Item label={t('traffic.ackLatency')}><span data-testid="traffic-latency">{data.ackLatencyMs ? `${ms(data.ackLatencyMs.p50)} / ${ms(data.ackLatencyMs.p99)}` : t('traffic.none')}</span></Item>
        <Item label={t('traffic.failures')}>
          <span className="font-mono text-sm" data-testid="traffic-failures">{failures.length ? failures.map(([code, n]) => `${code}: ${n}`).join(', ') : t('traffic.none')}</span>
        </Item>
        <Item label={t('traffic.lastReceived')}><RelativeTime iso={data.lastReceivedAt} empty={t('never')} testId="traffic-last-received" /></Item>
      </dl>
    </div>
  );
}

function Item({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="rounded-lg border border-gray-200 p-3 dark:border-gray-800">
      <dt className="text-xs uppercase text-gray-700 dark:text-gray-300">{label}</dt>
      <dd className="mt-1">{children}</dd>
    </div>
  );
}

/**
 * The phone's settings (PATCH /api/sessions/:id). The proxy field starts empty: the current URL
 * is only ever shown masked, so sending it back would lose the password. A proxy change restarts
 * the socket, after a confirmation.
 */
function SettingsPanel({ session, phone }: { session: SessionDto; phone: string }) {
  const { t } = useUi();
  const toast = useToast();
  const client = useQueryClient();
  const [label, setLabel] = useState(session.label ?? '');
  const [proxyUrl, setProxyUrl] = useState('');
  const [clear, setClear] = useState(false);
  const [engine, setEngine] = useState(session.engine);
  const [confirming, setConfirming] = useState(false);
  const save = useMutation({
    mutationFn: (body: { label?: string | null; proxyUrl?: string | null; engine?: SessionDto['engine'] }) => fetchJson<SessionDto>(`/api/sessions/${session.id}`, { method: 'PATCH', body }),
    onSuccess: () => {
      setProxyUrl('');
      setClear(false);
      setConfirming(false);
      toast('success', t('settings.saved'));
      void client.invalidateQueries({ queryKey: queryKeys.sessions() });
    },
    onError: (err: Error) => {
      setConfirming(false);
      toast('error', t('toast.failed', { error: errorMessage(t, err) }));
    },
  });
  const proxyChange = clear ? { proxyUrl: null } : proxyUrl.trim() ? { proxyUrl: proxyUrl.trim() } : {};
  const labelChange = label.trim() !== (session.label ?? '') ? { label: label.trim() || null } : {};
  const engineChange = engine !== session.engine ? { engine } : {};
  const body = { ...labelChange, ...proxyChange, ...engineChange };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (Object.keys(body).length === 0) return;
    if ('proxyUrl' in body || 'engine' in body) setConfirming(true);
    else save.mutate(body);
  };
  return (
    <form onSubmit={onSubmit} className="flex flex-wrap items-end gap-3 rounded-lg border border-gray-200 p-3 dark:border-gray-800" data-testid="settings-panel">
      <h2 className="w-full text-sm font-semibold">{t('settings.title')}</h2>
      <label className="text-sm">
        {t('settings.label')}
        <input value={label} maxLength={100} onChange={(e) => setLabel(e.target.value)} data-testid="settings-label"
          className="mt-1 block rounded border border-gray-300 px-2 py-1 dark:border-gray-700 dark:bg-gray-950" />
      </label>
      <label className="text-sm">
        {t('settings.proxy')}
        <input value={proxyUrl} disabled={clear} onChange={(e) => setProxyUrl(e.target.value)} autoComplete="off" spellCheck={false} aria-describedby="settings-proxy-hint"
          placeholder="socks5://user:password@host:1080" data-testid="settings-proxy"
          className="mt-1 block w-80 max-w-full rounded border border-gray-300 px-2 py-1 font-mono disabled:opacity-50 dark:border-gray-700 dark:bg-gray-950" />
        <span id="settings-proxy-hint" className="block max-w-80 text-xs text-gray-600 dark:text-gray-400 [overflow-wrap:anywhere]">
          {t('settings.proxyCurrent', { proxy: session.proxyUrl ?? t('proxy.direct') })}
        </span>
      </label>
      <label className="text-sm">
        {t('settings.engine')}
        <select value={engine} onChange={(e) => setEngine(e.target.value as SessionDto['engine'])} data-testid="settings-engine"
          className="mt-1 block rounded border border-gray-300 px-2 py-1 dark:border-gray-700 dark:bg-gray-950">
          {ENGINE_NAMES.map((name) => <option key={name} value={name}>{name} ({ENGINE_CLIENTS[name]})</option>)}
        </select>
      </label>
      {session.proxyUrl && (
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={clear} onChange={(e) => setClear(e.target.checked)} data-testid="settings-proxy-clear" className="h-6 w-6" />
          {t('settings.proxyClear')}
        </label>
      )}
      <SubmitButton pending={save.isPending} disabled={Object.keys(body).length === 0} testId="settings-save">{t('settings.save')}</SubmitButton>
      {confirming && (
        <ConfirmDialog title={t('engine' in body && !('proxyUrl' in body) ? 'settings.confirmEngineTitle' : 'settings.confirmTitle', { phone })} body={t('engine' in body && !('proxyUrl' in body) ? 'settings.confirmEngineBody' : 'settings.confirmBody')} pending={save.isPending}
          onConfirm={() => save.mutate(body)} onCancel={() => setConfirming(false)} />
      )}
    </form>
  );
}

function FaultPanel({ phoneId }: { phoneId: number }) {
  const { t } = useUi();
  const toast = useToast();
  const [type, setType] = useState<DemoFaultType>('bad-mac');
  const [count, setCount] = useState(1);
  const [pending, setPending] = useState(false);
  const inject = async () => {
    setPending(true);
    try {
      const res = await fetchJson<{ delivered: number }>('/api/demo/faults', { method: 'POST', body: { phoneId, type, count } });
      toast('success', t('faults.sent', { n: res.delivered }));
    } catch (err) {
      toast('error', t('toast.failed', { error: errorMessage(t, err) }));
    } finally {
      setPending(false);
    }
  };
  return (
    <div className="flex flex-wrap items-end gap-3 rounded-lg border border-dashed border-violet-300 p-3 dark:border-violet-800" data-testid="fault-panel">
      <strong className="w-full text-sm">{t('faults.title')}</strong>
      <label className="text-sm">{t('faults.type')}
        <select value={type} onChange={(e) => setType(e.target.value as DemoFaultType)} data-testid="fault-type" className="ml-2 min-h-7 rounded border border-gray-300 px-1 dark:border-gray-700 dark:bg-gray-950">
          {DEMO_FAULT_TYPES.map((f) => <option key={f} value={f}>{f}</option>)}
        </select>
      </label>
      <label className="text-sm">{t('faults.count')}
        <input type="number" min={1} max={20} value={count} onChange={(e) => setCount(Math.max(1, Math.min(20, Number(e.target.value) || 1)))} className="ml-2 min-h-7 w-16 rounded border border-gray-300 px-1 dark:border-gray-700 dark:bg-gray-950" />
      </label>
      <button type="button" onClick={inject} disabled={pending} data-testid="fault-inject" className="min-h-7 rounded bg-violet-700 px-3 py-1 text-sm text-white disabled:opacity-60">{t('faults.inject')}</button>
    </div>
  );
}
