'use client';

import { useState } from 'react';
import type { SessionDto } from '@/lib/api/session-schemas';
import type { SessionPage } from '@/lib/api/list-schemas';
import { fetchJson } from '@/lib/ui/fetch-json';
import { formatNumber } from '@/lib/ui/i18n';
import { errorMessage } from '@/lib/ui/session-text';
import { useUi } from '../providers';
import { ConfirmDialog } from '../ui/ConfirmDialog';
import { phoneOf, runAction, type ActionKind } from './SessionActions';

/** Rows picked one by one, or every phone matching the current filters (over all pages). */
export type Selection = { mode: 'ids'; ids: Set<number> } | { mode: 'all' };

type Result = { id: number; phone: string; ok: boolean; text: string };
const BULK: ActionKind[] = ['start', 'restart', 'close'];
const CONCURRENCY = 4;

/** Every phone of the filtered list, page by page (for "all matching the filters"). */
async function allMatching(listQuery: string): Promise<{ id: number; phone: string }[]> {
  const params = new URLSearchParams(listQuery);
  params.set('limit', '200');
  params.delete('page');
  const out: { id: number; phone: string }[] = [];
  let cursor: string | null = null;
  do {
    if (cursor) params.set('cursor', cursor);
    const page: SessionPage = await fetchJson<SessionPage>(`/api/sessions?${params}`);
    out.push(...page.items.map((s) => ({ id: s.id, phone: phoneOf(s) })));
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

export function BulkBar(props: { selection: Selection; setSelection: (s: Selection) => void; total: number; pageRows: SessionDto[]; selectedOnPage: number; listQuery: string }) {
  const { t, locale } = useUi();
  const { selection, setSelection, total, pageRows } = props;
  const [asking, setAsking] = useState<ActionKind | null>(null);
  const [running, setRunning] = useState<{ kind: ActionKind; total: number; results: Result[] } | null>(null);
  const count = selection.mode === 'all' ? total : selection.ids.size;
  const busy = running !== null && running.results.length < running.total;

  const run = async (kind: ActionKind, reason: string) => {
    setAsking(null);
    // Phones known on this page keep their number; others are looked up.
    const known = new Map(pageRows.map((r) => [r.id, phoneOf(r)]));
    const targets =
      selection.mode === 'all' ? await allMatching(props.listQuery) : [...selection.ids].map((id) => ({ id, phone: known.get(id) ?? `#${id}` }));
    const results: Result[] = [];
    setRunning({ kind, total: targets.length, results: [] });
    let next = 0;
    const worker = async () => {
      while (next < targets.length) {
        const target = targets[next++];
        try {
          await runAction(kind, target.id, reason || undefined);
          results.push({ ...target, ok: true, text: t('bulk.ok') });
        } catch (err) {
          results.push({ ...target, ok: false, text: errorMessage(t, err) });
        }
        setRunning({ kind, total: targets.length, results: [...results] });
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, targets.length) }, worker));
    setSelection({ mode: 'ids', ids: new Set() });
  };

  if (count === 0 && !running) return null;
  const ok = running?.results.filter((r) => r.ok).length ?? 0;
  const failed = (running?.results.length ?? 0) - ok;
  const label = (k: ActionKind) => t(`action.${k}` as const);
  return (
    <div className="space-y-2 rounded-lg border border-emerald-700 p-3 text-sm dark:border-emerald-400" data-testid="bulk-bar">
      {count > 0 && (
        <div className="flex flex-wrap items-center gap-2">
          <strong data-testid="bulk-count">{t('bulk.selected', { n: formatNumber(locale, count) })}</strong>
          {BULK.map((k) => (
            <button key={k} type="button" disabled={busy} onClick={() => setAsking(k)} data-testid={`bulk-${k}`}
              className="min-h-7 rounded border border-gray-400 px-2 py-1 hover:bg-gray-100 disabled:opacity-40 dark:border-gray-500 dark:hover:bg-gray-800">
              {label(k)}
            </button>
          ))}
          {selection.mode === 'ids' && props.selectedOnPage === pageRows.length && total > pageRows.length && (
            <button type="button" onClick={() => setSelection({ mode: 'all' })} data-testid="bulk-select-all" className="min-h-7 rounded px-2 py-1 text-emerald-800 underline dark:text-emerald-300">
              {t('bulk.selectAll', { n: formatNumber(locale, total) })}
            </button>
          )}
          <button type="button" disabled={busy} onClick={() => setSelection({ mode: 'ids', ids: new Set() })} data-testid="bulk-clear" className="min-h-7 rounded px-2 py-1 underline">
            {t('bulk.clear')}
          </button>
        </div>
      )}
      {running && (
        <div>
          <p role="status" data-testid="bulk-progress" data-done={running.results.length} data-total={running.total} data-failed={failed}>
            {label(running.kind)}: {t('bulk.progress', { done: running.results.length, total: running.total, ok, failed })}
          </p>
          <details className="mt-1" open={failed > 0}>
            <summary className="min-h-6 cursor-pointer">{t('bulk.results')}</summary>
            <ul className="mt-1 max-h-48 overflow-auto" data-testid="bulk-results">
              {running.results.map((r) => (
                <li key={r.id} data-testid={`bulk-result-${r.id}`} data-result={r.ok ? 'ok' : 'error'} className={r.ok ? '' : 'text-red-800 dark:text-red-300'}>
                  <span className="font-mono">{r.phone}</span>: {r.text}
                </li>
              ))}
            </ul>
          </details>
          {!busy && <button type="button" onClick={() => setRunning(null)} className="mt-1 min-h-7 rounded px-2 py-1 underline" data-testid="bulk-dismiss">{t('pair.close')}</button>}
        </div>
      )}
      {asking && (
        <ConfirmDialog
          title={t('bulk.confirmTitle', { action: label(asking), n: formatNumber(locale, count) })}
          body={t('bulk.confirmBody')}
          withReason={asking === 'close'}
          danger={asking === 'close'}
          onConfirm={(reason) => void run(asking, reason)}
          onCancel={() => setAsking(null)}
        />
      )}
    </div>
  );
}
