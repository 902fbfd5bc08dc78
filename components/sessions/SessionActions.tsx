'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import type { SessionDto } from '@/lib/api/session-schemas';
import { isRunningState } from '@/lib/sessions/types';
import { queryKeys } from '@/lib/ui/query-keys';
import { fetchJson } from '@/lib/ui/fetch-json';
import { serverMessage, type MessageKey } from '@/lib/ui/i18n';
import { errorMessage } from '@/lib/ui/session-text';
import { useUi } from '../providers';
import { useToast } from '../ui/Toast';
import { ConfirmDialog } from '../ui/ConfirmDialog';
import { PairingPanel } from './AddPhone';
import { MenuButton } from '../ui/MenuButton';

export type ActionKind = 'start' | 'restart' | 'close' | 'logout' | 'delete';

export const phoneOf = (s: Pick<SessionDto, 'phoneJid'>) => '+' + s.phoneJid.split('@')[0];

/** A phone that has to be linked (again) to WhatsApp: pairing now, logged out, or never connected. */
export const needsPairing = (s: SessionDto) => s.status === 'qr' || s.status === 'logged_out' || (s.lastConnectedAt === null && !isRunningState(s.status));
export const isRunning = (s: SessionDto) => isRunningState(s.status);

/** Calls one action's endpoint; the answer's message. */
export function runAction(kind: ActionKind, id: number, reason?: string): Promise<{ message: string }> {
  if (kind === 'delete') return fetchJson(`/api/sessions/${id}`, { method: 'DELETE' });
  const body = kind === 'close' || kind === 'logout' ? (reason ? { reason } : {}) : undefined;
  return fetchJson(`/api/sessions/${id}/${kind}`, { method: 'POST', body });
}

export { errorMessage };

const BTN = 'inline-flex min-h-7 min-w-7 items-center justify-center rounded border px-2 py-1 text-xs disabled:opacity-40';
const NEUTRAL = `${BTN} border-gray-400 text-gray-800 hover:bg-gray-100 dark:border-gray-500 dark:text-gray-100 dark:hover:bg-gray-800`;
const DANGER = `${BTN} border-red-400 text-red-800 hover:bg-red-50 dark:border-red-500 dark:text-red-200 dark:hover:bg-red-950`;
const PRIMARY = `${BTN} border-emerald-700 bg-emerald-700 font-medium text-white hover:bg-emerald-800`;

/** Every action on one phone, for the table row and the detail page. Viewers get nothing. */
export function SessionActions({ session, layout = 'row' }: { session: SessionDto; layout?: 'row' | 'page' }) {
  const { t, role } = useUi();
  const [confirm, setConfirmState] = useState<ActionKind | null>(null);
  // Whether the phone had to be linked when the action was asked for (the state moves on while
  // the request runs): then starting or restarting it leads straight to its QR.
  const [pairAfter, setPairAfter] = useState(false);
  const setConfirm = (kind: ActionKind | null) => {
    setPairAfter(needsPairing(session));
    setConfirmState(kind);
  };
  const [pairing, setPairing] = useState<false | 'start' | 'started'>(false);
  if (role !== 'admin') return null;
  const id = session.id;
  const running = isRunning(session);
  const size = layout === 'page' ? ' text-sm px-3 py-1.5' : '';
  return (
    <div className={`flex gap-2 ${layout === 'page' ? 'flex-wrap' : 'items-center whitespace-nowrap'}`} data-testid={`actions-${id}`}>
      {needsPairing(session) && (
        <button type="button" data-testid={`pair-${id}`} className={PRIMARY + size} onClick={() => setPairing('start')}>{t('action.pair')}</button>
      )}
      {layout === 'page' ? (
        <>
          {!running && (
            <button type="button" data-testid={`start-${id}`} className={NEUTRAL + size} onClick={() => setConfirm('start')}>{t('action.start')}</button>
          )}
          <button type="button" data-testid={`restart-${id}`} className={NEUTRAL + size} onClick={() => setConfirm('restart')}>{t('action.restart')}</button>
          <button type="button" data-testid={`close-${id}`} disabled={!running} className={DANGER + size} onClick={() => setConfirm('close')}>{t('action.close')}</button>
          <button type="button" data-testid={`logout-${id}`} disabled={session.status === 'logged_out'} className={DANGER + size} onClick={() => setConfirm('logout')}>{t('action.logout')}</button>
          <button type="button" data-testid={`delete-${id}`} className={DANGER + size} onClick={() => setConfirm('delete')}>{t('action.delete')}</button>
        </>
      ) : (
        // A row keeps one action at hand, Restart (Pair for a phone to be linked, Restart then
        // waits in the menu); the rest wait in its More menu, so a row never wraps to two lines
        // of buttons with Delete beside Log out (issue 27.14).
        <>
          {!needsPairing(session) && (
            <button type="button" data-testid={`restart-${id}`} className={NEUTRAL} onClick={() => setConfirm('restart')}>{t('action.restart')}</button>
          )}
          <MenuButton label={t('action.more', { phone: phoneOf(session) })} testId={`more-${id}`} className={NEUTRAL}
            items={[
              ...(needsPairing(session) ? [{ key: 'restart', label: t('action.restart'), testId: `restart-${id}`, onSelect: () => setConfirm('restart') }] : []),
              ...(!running ? [{ key: 'start', label: t('action.start'), testId: `start-${id}`, onSelect: () => setConfirm('start') }] : []),
              { key: 'close', label: t('action.close'), testId: `close-${id}`, disabled: !running, danger: true, onSelect: () => setConfirm('close') },
              { key: 'logout', label: t('action.logout'), testId: `logout-${id}`, disabled: session.status === 'logged_out', danger: true, onSelect: () => setConfirm('logout') },
              { key: 'delete', label: t('action.delete'), testId: `delete-${id}`, danger: true, onSelect: () => setConfirm('delete') },
            ]}>
            {t('action.moreButton')} <span aria-hidden className="ml-1">▾</span>
          </MenuButton>
        </>
      )}
      {confirm && (
        <ConfirmAction
          kind={confirm}
          session={session}
          leaveOnDelete={layout === 'page'}
          onDone={(ok) => {
            const kind = confirm;
            setConfirmState(null);
            // Starting or restarting a phone that has to be linked leads straight to its QR.
            if (ok && (kind === 'start' || kind === 'restart') && pairAfter) setPairing('started');
          }}
        />
      )}
      {pairing && <PairDialog session={session} alreadyStarted={pairing === 'started'} onClose={() => setPairing(false)} />}
    </div>
  );
}

const TITLES: Record<ActionKind, MessageKey> = { start: 'confirm.startTitle', restart: 'confirm.restartTitle', close: 'confirm.closeTitle', logout: 'confirm.logoutTitle', delete: 'confirm.deleteTitle' };
const BODIES: Record<ActionKind, MessageKey> = { start: 'confirm.startBody', restart: 'confirm.restartBody', close: 'confirm.closeBody', logout: 'confirm.logoutBody', delete: 'confirm.deleteBody' };

function ConfirmAction({ kind, session, leaveOnDelete, onDone }: { kind: ActionKind; session: SessionDto; leaveOnDelete?: boolean; onDone: (ok: boolean) => void }) {
  const router = useRouter();
  const { t } = useUi();
  const toast = useToast();
  const client = useQueryClient();
  const phone = phoneOf(session);
  const mutation = useMutation({
    mutationFn: (reason: string) => runAction(kind, session.id, reason),
    onSuccess: (res) => {
      toast('success', serverMessage(t, res.message));
      // Deleting changes which phones the pages hold; other actions arrive as stream events.
      if (kind === 'delete') void client.invalidateQueries({ queryKey: queryKeys.sessionPages() });
      if (kind === 'delete') void client.invalidateQueries({ queryKey: queryKeys.summaries() });
      onDone(true);
      if (kind === 'delete' && leaveOnDelete) router.push('/');
    },
    onError: (err) => toast('error', t('toast.failed', { error: errorMessage(t, err) })),
  });
  const body = kind === 'restart' && session.status === 'logged_out' ? t('confirm.restartPairBody') : t(BODIES[kind]);
  return (
    <ConfirmDialog
      title={t(TITLES[kind], { phone })}
      body={body}
      withReason={kind === 'close' || kind === 'logout'}
      danger={kind === 'close' || kind === 'logout' || kind === 'delete'}
      pending={mutation.isPending}
      onConfirm={(reason) => mutation.mutate(reason)}
      onCancel={() => onDone(false)}
    />
  );
}

/** A modal with the live, rotating pairing QR (or a code to type on the phone). */
export function PairDialog({ session, alreadyStarted, onClose }: { session: SessionDto; alreadyStarted?: boolean; onClose: () => void }) {
  const { t } = useUi();
  const toast = useToast();
  const [started, setStarted] = useState(alreadyStarted || session.status === 'qr');
  // A phone that is not pairing yet is started first (a logged-out phone then shows a new QR).
  const start = useMutation({
    mutationFn: () => runAction(session.status === 'logged_out' || session.status === 'idle' || session.status === 'closed' ? 'start' : 'restart', session.id),
    onSuccess: () => setStarted(true),
    onError: (err) => toast('error', t('toast.failed', { error: errorMessage(t, err) })),
  });
  const asked = useRef(false);
  useEffect(() => {
    if (started || asked.current) return;
    asked.current = true;
    start.mutate();
  }, [started, start]);
  // Escape closes the dialog wherever the focus went (the "Link with phone number instead"
  // button disappears when clicked, leaving the focus on the page's body; issue 27.14).
  const close = useRef(onClose);
  close.current = onClose;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => { if (e.key === 'Escape') close.current(); };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  return (
    <div className="fixed inset-0 z-40 flex items-center justify-center bg-black/40 p-4">
      <div role="dialog" aria-modal="true" aria-labelledby="pair-title" className="w-full max-w-md rounded-lg bg-white p-5 shadow-xl dark:bg-gray-900" data-testid="pair-dialog">
        <h2 id="pair-title" className="text-lg font-semibold">{t('pair.title', { phone: phoneOf(session) })}</h2>
        {started ? <PairingPanel id={session.id} onDone={onClose} /> : <p className="mt-3 text-sm">{t('add.waiting')}</p>}
        <div className="mt-4 flex justify-end">
          <button type="button" autoFocus onClick={onClose} data-testid="pair-close" className={NEUTRAL + ' text-sm'}>{t('pair.close')}</button>
        </div>
      </div>
    </div>
  );
}
