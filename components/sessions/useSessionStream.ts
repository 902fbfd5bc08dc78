'use client';

import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import type { SessionDto } from '@/lib/api/session-schemas';
import type { SessionPage, SessionSummary } from '@/lib/api/list-schemas';
import { queryKeys } from '@/lib/ui/query-keys';
import { stoppedHealth } from '@/lib/health/level';
import { isRunningState, runsOnNode, SESSION_EVENT_TYPES, type SessionEngineEvent } from '@/lib/sessions/types';

/** Applies what an engine event says directly to one cached session. */
export function patchSession(s: SessionDto, e: SessionEngineEvent): SessionDto {
  if (s.id !== e.phoneId) return s;
  switch (e.type) {
    case 'stats':
      // an older node's event has no reason (keep the one known); null clears it (a signal lifted)
      return { ...s, stats: e.stats, health: e.health, healthReason: 'healthReason' in e ? e.healthReason : s.healthReason };
    case 'state':
      return {
        ...s,
        status: e.state,
        isActive: isRunningState(e.state),
        lastConnectedAt: e.state === 'open' ? e.at : s.lastConnectedAt,
        lastCloseReason: e.reason && (e.state === 'closed' || e.state === 'logged_out') ? e.reason : s.lastCloseReason,
        lastClose: e.closeReason && (e.state === 'closed' || e.state === 'logged_out') ? { ...e.closeReason, at: e.at } : s.lastClose,
        // Only a connected session is healthy; the stats event after "open" sets the level. A ban or
        // restriction keeps it critical (lib/health/level.ts).
        ...(e.state === 'open' ? {} : stoppedHealth(e.closeReason?.code ?? s.lastClose?.code)),
        node: runsOnNode(e.state) ? (e.node ?? s.node) : null,
        ownerLeaseEndsAt: e.state === 'owner_lost' ? (e.leaseEndsAt ?? null) : null,
      };
    case 'auto-closed':
      return { ...s, lastCloseReason: e.reason, lastClose: { ...e.closeReason, at: e.at } };
    default:
      return s;
  }
}

/** Moves one phone between the state counters of the cached summary tiles. */
export function patchSummary(summary: SessionSummary, e: SessionEngineEvent): SessionSummary {
  if (e.type !== 'state' || e.previous === e.state) return summary;
  const byStatus = { ...summary.byStatus };
  if ((byStatus[e.previous] ?? 0) > 0) byStatus[e.previous] -= 1;
  byStatus[e.state] = (byStatus[e.state] ?? 0) + 1;
  return { ...summary, byStatus };
}

/**
 * True when the event can move a phone between the health tiles (degraded, critical): a new
 * health level, or a state that leaves or enters `open`. The client cannot move it itself (it
 * knows the previous level only of the rows it holds), so the tiles are read again (issue 27.2).
 */
export function changesHealthTiles(e: SessionEngineEvent): boolean {
  return e.type === 'stats' || (e.type === 'state' && e.previous !== e.state && (e.state === 'open' || e.previous === 'open'));
}

/** Tiles are read again at most this often while events that move them keep coming. */
export const TILE_REFRESH_MS = 1000;

/**
 * Applies a burst of events to every cached page, the phones' own details and the summary tiles,
 * in place: no request per event, one cache write per query per burst. Pages that show none of
 * the phones are returned unchanged (same object).
 */
export function applyEvents(client: QueryClient, events: SessionEngineEvent[]) {
  const ids = new Set(events.map((e) => e.phoneId));
  client.setQueriesData<SessionPage>({ queryKey: queryKeys.sessionPages() }, (page) => {
    if (!page || !page.items.some((s) => ids.has(s.id))) return page;
    return { ...page, items: page.items.map((s) => (ids.has(s.id) ? events.reduce(patchSession, s) : s)) };
  });
  for (const id of ids) client.setQueryData<SessionDto>(queryKeys.session(id), (s) => (s ? events.reduce(patchSession, s) : s));
  client.setQueriesData<SessionSummary>({ queryKey: queryKeys.summaries() }, (s) => (s ? events.reduce(patchSummary, s) : s));
}

/**
 * Events reach the cache once per frame the browser draws: each cache write redraws the table, and
 * at hundreds of events a second (ui-10k bench) one redraw per event kept the rows behind the
 * stream. A hidden tab draws no frames, so a timer applies them this long after the first instead.
 */
export const STREAM_BATCH_HIDDEN_MS = 250;

/** Everything cached about sessions is refetched: after a reconnect, or when the server says events were lost. */
export function refreshAll(client: QueryClient) {
  void client.invalidateQueries({ queryKey: queryKeys.sessions() });
}

/**
 * Subscribes to /api/sessions/stream. Engine events are applied to the query cache in bursts
 * (once per frame); the list is not downloaded again per event. A full refresh happens only when the stream comes
 * back after a drop (the `hello` of a reconnect) or on a `reset` event (the server could not
 * replay what was missed). Returns whether the stream is live, so callers can fall back to
 * polling when it is not.
 */
export function useSessionStream(onEvent?: (e: SessionEngineEvent) => void): boolean {
  const client = useQueryClient();
  const [live, setLive] = useState(false);
  const handler = useRef(onEvent);
  useEffect(() => {
    handler.current = onEvent;
  });
  // The health tiles follow the stream: one summary request per burst of health events.
  const tileTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => { if (tileTimer.current) clearTimeout(tileTimer.current); }, []);
  useEffect(() => {
    const source = new EventSource('/api/sessions/stream');
    let burst: SessionEngineEvent[] = [];
    let burstTimer: ReturnType<typeof setTimeout> | null = null;
    let burstFrame: number | null = null;
    const flush = () => {
      if (burstTimer) clearTimeout(burstTimer);
      if (burstFrame !== null) cancelAnimationFrame(burstFrame);
      burstTimer = burstFrame = null;
      const events = burst;
      burst = [];
      if (events.length) applyEvents(client, events);
    };
    const onMessage = (msg: MessageEvent) => {
      try {
        const event = JSON.parse(msg.data) as SessionEngineEvent;
        burst.push(event);
        burstFrame ??= requestAnimationFrame(flush);
        burstTimer ??= setTimeout(flush, STREAM_BATCH_HIDDEN_MS);
        if (changesHealthTiles(event) && !tileTimer.current) {
          tileTimer.current = setTimeout(() => {
            tileTimer.current = null;
            void client.invalidateQueries({ queryKey: queryKeys.summaries() });
          }, TILE_REFRESH_MS);
        }
        handler.current?.(event);
      } catch {
        // ignore malformed events
      }
    };
    for (const type of SESSION_EVENT_TYPES) source.addEventListener(type, onMessage);
    source.addEventListener('hello', () => {
      setLive(true);
      flush();
      // Catch up once on whatever happened while the stream was not connected (between the
      // server render and this connection, or during a drop).
      refreshAll(client);
    });
    // After a reconnect the browser sends Last-Event-ID and the server replays what was missed;
    // when that is no longer kept it sends `reset`: reload everything at once.
    source.addEventListener('reset', () => {
      setLive(true);
      flush();
      refreshAll(client);
    });
    source.onopen = () => setLive(true);
    source.onerror = () => setLive(false);
    return () => {
      source.close();
      if (burstTimer) clearTimeout(burstTimer);
      if (burstFrame !== null) cancelAnimationFrame(burstFrame);
    };
  }, [client]);
  return live;
}
