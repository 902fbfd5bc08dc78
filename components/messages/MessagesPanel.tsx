'use client';

import { useQuery } from '@tanstack/react-query';
import { fetchJson } from '@/lib/ui/fetch-json';
import { queryKeys } from '@/lib/ui/query-keys';
import { peerText, type MessageItem, type MessagePage } from '@/lib/ui/messages';
import { MESSAGE_STATUSES, type MessageStatus } from '@/lib/messages/vocabulary';
import { isMessageKey, type MessageKey } from '@/lib/ui/i18n';
import { RelativeTime } from '../ui/RelativeTime';
import { useUi } from '../providers';
import { SendMessageForm } from './SendMessageForm';

/** Messages shown: the newest page of the API (newest first). */
const LATEST = 50;

const STATUS_COLORS: Record<MessageStatus, string> = {
  queued: 'bg-gray-100 text-gray-800 dark:bg-gray-800 dark:text-gray-200',
  sent: 'bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300',
  delivered: 'bg-violet-100 text-violet-800 dark:bg-violet-950 dark:text-violet-300',
  read: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300',
  failed: 'bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300',
  received: 'bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-300',
};

/**
 * The phone's Messages tab: the latest messages both ways with their status, kept live by the
 * stream's message events (components/messages/live.ts); the API decides who sees bodies (admins),
 * viewers see the same list without them. Admins get the form to send.
 */
export function MessagesPanel({ phoneId, live }: { phoneId: number; live: boolean }) {
  const { t, role } = useUi();
  const { data, error } = useQuery({
    queryKey: queryKeys.sessionMessages(phoneId),
    queryFn: () => fetchJson<MessagePage>(`/api/sessions/${phoneId}/messages?limit=${LATEST}`),
    refetchInterval: live ? false : 3000,
  });
  const items = data?.items ?? [];
  const counts = MESSAGE_STATUSES.map((s) => [s, items.filter((m) => m.status === s).length] as const).filter(([, n]) => n > 0);
  return (
    <div className="space-y-4" data-testid="messages-panel">
      {role === 'admin' && <SendMessageForm phoneId={phoneId} />}
      <div>
        <h2 className="mb-2 font-semibold">{t('messages.title')}</h2>
        {error && !data && <p className="text-sm text-red-800 dark:text-red-300">{t('error.load', { error: (error as Error).message })}</p>}
        {data && items.length === 0 && <p className="text-sm text-gray-700 dark:text-gray-300" data-testid="messages-empty">{t('messages.empty')}</p>}
        {items.length > 0 && (
          <>
            <p className="mb-2 text-sm text-gray-700 dark:text-gray-300" data-testid="messages-counts">
              {t('messages.shown', { n: items.length, counts: counts.map(([s, n]) => `${t(`messages.status.${s}`)} ${n}`).join(', ') })}
              {role !== 'admin' && <span className="ml-2">{t('messages.hidden')}</span>}
            </p>
            <ol className="space-y-1 text-sm" data-testid="messages-list">
              {items.map((m) => <MessageRow key={m.id} m={m} />)}
            </ol>
          </>
        )}
      </div>
    </div>
  );
}

function MessageRow({ m }: { m: MessageItem }) {
  const { t } = useUi();
  const peer = m.direction === 'out' ? t('messages.out', { peer: peerText(m.to) }) : t('messages.in', { peer: peerText(m.from) });
  const kind = `messages.kind.${m.kind}`;
  const body = m.text ?? m.media?.fileName ?? null;
  return (
    <li className="flex flex-col gap-x-3 border-b border-gray-100 py-1 sm:flex-row sm:items-baseline dark:border-gray-800" data-testid={`message-${m.id}`} data-direction={m.direction}>
      <RelativeTime iso={m.createdAt} className="shrink-0 text-gray-700 dark:text-gray-300 sm:w-40" />
      <span className="shrink-0 sm:w-48">
        <span aria-hidden className="mr-1">{m.direction === 'out' ? '→' : '←'}</span>
        {peer}
      </span>
      <span className="min-w-0 flex-1 [overflow-wrap:anywhere]" data-testid={`message-body-${m.id}`}>
        {m.kind !== 'text' && <span className="mr-1 text-xs uppercase text-gray-700 dark:text-gray-300">{isMessageKey(kind) ? t(kind) : m.kind}</span>}
        {body}
      </span>
      <span className="shrink-0">
        <span data-testid={`message-status-${m.id}`} data-status={m.status} className={`rounded-full px-2 py-0.5 text-xs font-medium ${STATUS_COLORS[m.status]}`}>
          {t(`messages.status.${m.status}`)}
        </span>
        {m.status === 'failed' && m.code && (
          <span className="ml-2 text-xs text-red-800 dark:text-red-300" data-testid={`message-code-${m.id}`} data-code={m.code} title={m.error ?? undefined}>
            {m.code}{isMessageKey(`messages.failure.${m.code}`) ? `: ${t(`messages.failure.${m.code}` as MessageKey)}` : ''}
          </span>
        )}
      </span>
    </li>
  );
}
