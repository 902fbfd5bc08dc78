'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { queryKeys } from '@/lib/ui/query-keys';
import type { SessionEngineEvent } from '@/lib/sessions/types';

/**
 * Subscribes to /api/sessions/stream. Every engine event refreshes the affected queries (batched
 * per 100 ms). Returns whether the stream is live, so callers can fall back to polling.
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
    const refresh = () => {
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        void client.invalidateQueries({ queryKey: queryKeys.sessions() });
      }, 100);
    };
    const onMessage = (msg: MessageEvent) => {
      try {
        handler.current?.(JSON.parse(msg.data));
      } catch {
        // ignore malformed events
      }
      refresh();
    };
    for (const type of ['state', 'stats', 'qr', 'decrypt-failure', 'auto-closed', 'reconnect', 'restart']) source.addEventListener(type, onMessage);
    source.addEventListener('hello', () => setLive(true));
    source.onopen = () => setLive(true);
    source.onerror = () => setLive(false);
    return () => {
      source.close();
      if (timer) clearTimeout(timer);
    };
  }, [client]);
  return live;
}
