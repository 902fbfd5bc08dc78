'use client';

import { useEffect, useRef, useState } from 'react';
import { useUi } from '../providers';

/** A modal confirmation with an optional reason field. */
export function ConfirmDialog(props: { title: string; body: string; withReason?: boolean; pending?: boolean; onConfirm: (reason: string) => void; onCancel: () => void }) {
  const { t } = useUi();
  const [reason, setReason] = useState('');
  const first = useRef<HTMLTextAreaElement & HTMLButtonElement>(null);
  useEffect(() => first.current?.focus(), []);
  return (
    <div className="fixed inset-0 z-40 flex items-center justify-center bg-black/40 p-4" onKeyDown={(e) => e.key === 'Escape' && props.onCancel()}>
      <div role="dialog" aria-modal="true" aria-labelledby="confirm-title" className="w-full max-w-md rounded-lg bg-white p-5 shadow-xl dark:bg-gray-900">
        <h2 id="confirm-title" className="text-lg font-semibold">{props.title}</h2>
        <p className="mt-2 text-sm text-gray-600 dark:text-gray-400">{props.body}</p>
        {props.withReason && (
          <label className="mt-3 block text-sm">
            {t('confirm.reason')}
            <textarea ref={first} data-testid="confirm-reason" value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)}
              className="mt-1 w-full rounded border border-gray-300 p-2 dark:border-gray-700 dark:bg-gray-950" rows={2} />
          </label>
        )}
        <div className="mt-4 flex justify-end gap-2">
          <button type="button" onClick={props.onCancel} className="rounded border border-gray-300 px-3 py-1.5 text-sm dark:border-gray-700">
            {t('action.cancel')}
          </button>
          <button type="button" ref={props.withReason ? undefined : first} data-testid="confirm-ok" disabled={props.pending} onClick={() => props.onConfirm(reason.trim())}
            className="inline-flex items-center gap-2 rounded bg-emerald-600 px-3 py-1.5 text-sm font-medium text-white disabled:opacity-60">
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
