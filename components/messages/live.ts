'use client';

import type { QueryClient } from '@tanstack/react-query';
import type { SessionEngineEvent } from '@/lib/sessions/types';
import { queryKeys } from '@/lib/ui/query-keys';
import { applyMessageStatus, type MessagePage } from '@/lib/ui/messages';

/**
 * A phone's message event applied to its cached Messages list: a status moves its message at
 * once; a message the list does not hold (received, or sent by another client) reads the list
 * again (one page, the newest: nothing older is dropped). Other events are not about messages.
 */
export function applyMessageEvent(client: QueryClient, e: SessionEngineEvent): void {
  if (e.type !== 'message.status' && e.type !== 'message.received') return;
  const key = queryKeys.sessionMessages(e.phoneId);
  if (e.type === 'message.status') {
    let missing = false;
    client.setQueryData<MessagePage>(key, (page) => {
      if (!page) return page;
      const next = applyMessageStatus(page, e);
      missing = next === null;
      return next ?? page;
    });
    if (!missing) return;
  }
  // One read per burst (a contact may send many at once).
  if (pending.has(e.phoneId)) return;
  pending.set(
    e.phoneId,
    setTimeout(() => {
      pending.delete(e.phoneId);
      void client.invalidateQueries({ queryKey: key, exact: true });
    }, 250),
  );
}

const pending = new Map<number, ReturnType<typeof setTimeout>>();
