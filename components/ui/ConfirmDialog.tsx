'use client';

import { useEffect, useRef, useState } from 'react';
import { useUi } from '../providers';

/** A modal confirmation with an optional reason field. */
export function ConfirmDialog(props: { title: string; body: string; withReason?: boolean; danger?: boolean; pending?: boolean; onConfirm: (reason: string) => void; onCancel: () => void }) {
  const { t } = useUi();
  const [reason, setReason] = useState('');
  const first = useRef<HTMLTextAreaElement & HTMLButtonElement>(null);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // Focus moves into the dialog and back to whatever opened it when it closes.
    const opener = document.activeElement as HTMLElement | null;
    first.current?.focus();
    return () => opener?.focus?.();
  }, []);
  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === 'Escape' && !props.pending) props.onCancel();
    if (e.key !== 'Tab' || !box.current) return;
    // Keep Tab inside the dialog.
    const items = [...box.current.querySelectorAll<HTMLElement>('button:not([disabled]), textarea')];
    if (items.length === 0) return;
    const [head, tail] = [items[0], items[items.length - 1]];
    if (e.shiftKey && document.activeElement === head) {
      e.preventDefault();
      tail.focus();
    } else if (!e.shiftKey && document.activeElement === tail) {
      e.preventDefault();
      head.focus();
    }
  };
  return (
    <div className="fixed inset-0 z-40 flex items-center justify-center bg-black/40 p-4" onKeyDown={onKeyDown}>
      <div ref={box} role="dialog" aria-modal="true" aria-labelledby="confirm-title" aria-describedby="confirm-body" className="w-full max-w-md rounded-lg bg-white p-5 shadow-xl dark:bg-gray-900">
        <h2 id="confirm-title" className="text-lg font-semibold">{props.title}</h2>
        <p id="confirm-body" className="mt-2 text-sm text-gray-700 dark:text-gray-300">{props.body}</p>
        {props.withReason && (
          <label className="mt-3 block text-sm">
            {t('confirm.reason')}
            <textarea ref={first} data-testid="confirm-reason" value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)}
              className="mt-1 w-full rounded border border-gray-300 p-2 dark:border-gray-700 dark:bg-gray-950" rows={2} />
          </label>
        )}
        <div className="mt-4 flex justify-end gap-2">
          <button type="button" onClick={props.onCancel} disabled={props.pending} data-testid="confirm-cancel" className="rounded border border-gray-400 px-3 py-1.5 text-sm dark:border-gray-500">
            {t('action.cancel')}
          </button>
          <button type="button" ref={props.withReason ? undefined : first} data-testid="confirm-ok" disabled={props.pending} onClick={() => props.onConfirm(reason.trim())}
            className={`inline-flex items-center gap-2 rounded px-3 py-1.5 text-sm font-medium text-white disabled:opacity-60 ${props.danger ? 'bg-red-700 hover:bg-red-800' : 'bg-emerald-700 hover:bg-emerald-800'}`}>
            {props.pending && <Spinner />}
            {t('action.confirm')}
          </button>
        </div>
      </div>
    </div>
  );
}

export function Spinner() {
  return <span aria-hidden className="inline-block h-3 w-3 animate-spin rounded-full border-2 border-white/40 border-t-white" />;
}
