'use client';

import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import type { SessionDto } from '@/lib/api/session-schemas';
import { queryKeys } from '@/lib/ui/query-keys';
import type { SessionEngineEvent } from '@/lib/sessions/types';

const EVENT_TYPES = ['state', 'stats', 'qr', 'decrypt-failure', 'auto-closed', 'reconnect', 'restart'] as const;

/** Applies what an engine event says directly to the cached session(s), for an instant update. */
export function patchSession(s: SessionDto, e: SessionEngineEvent): SessionDto {
  if (s.id !== e.phoneId) return s;
  switch (e.type) {
    case 'stats':
      return { ...s, stats: e.stats, health: e.health };
    case 'state':
      return {
        ...s,
        status: e.state,
        isActive: e.state === 'open' || e.state === 'connecting' || e.state === 'qr',
        lastConnectedAt: e.state === 'open' ? e.at : s.lastConnectedAt,
        lastCloseReason: e.reason && (e.state === 'closed' || e.state === 'logged_out') ? e.reason : s.lastCloseReason,
        health: e.state === 'closed' || e.state === 'logged_out' ? 'closed' : s.health,
      };
    case 'auto-closed':
      return { ...s, lastCloseReason: e.reason };
    default:
      return s;
  }
}

function applyEvent(client: QueryClient, e: SessionEngineEvent) {
  client.setQueryData<SessionDto[]>(queryKeys.sessions(), (list) => list?.map((s) => patchSession(s, e)));
  client.setQueryData<SessionDto>(queryKeys.session(e.phoneId), (s) => (s ? { ...s, ...patchSession(s, e) } : s));
}

/**
 * Subscribes to /api/sessions/stream. Every engine event is applied to the query cache at once and
 * then reconciled with the server (one refetch per 150 ms burst). Returns whether the stream is
 * live, so callers can fall back to polling (`refetchInterval`) when it is not.
 */
export function useSessionStream(onEvent?: (e: SessionEngineEvent) => void): boolean {
  const client = useQueryClient();
  const [live, setLive] = useState(false);
  const handler = useRef(onEvent);
  useEffect(() => {
    handler.current = onEvent;
  });
  useEffect(() => {
    const source = new EventSource('/api/sessions/stream');
    let timer: ReturnType<typeof setTimeout> | null = null;
    const reconcile = () => {
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        // Prefix match: the list, each detail and each QR.
        void client.invalidateQueries({ queryKey: queryKeys.sessions() });
      }, 150);
    };
    const onMessage = (msg: MessageEvent) => {
      try {
        const event = JSON.parse(msg.data) as SessionEngineEvent;
        applyEvent(client, event);
        handler.current?.(event);
      } catch {
        // ignore malformed events
      }
      reconcile();
    };
    for (const type of EVENT_TYPES) source.addEventListener(type, onMessage);
    source.addEventListener('hello', () => {
      setLive(true);
      reconcile(); // catch up on anything missed while the stream was down
    });
    // After a reconnect the browser sends Last-Event-ID and the server replays what was missed;
    // when that is no longer kept it sends `reset`: reload everything at once.
    source.addEventListener('reset', () => {
      setLive(true);
      void client.invalidateQueries({ queryKey: queryKeys.sessions() });
    });
    source.onopen = () => setLive(true);
    source.onerror = () => setLive(false);
    return () => {
      source.close();
      if (timer) clearTimeout(timer);
    };
  }, [client]);
  return live;
}
