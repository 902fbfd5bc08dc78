'use client';

import { useRouter } from 'next/navigation';
import { useSyncExternalStore, type FormEvent } from 'react';
import { auditActionOptions } from '@/lib/ui/audit-text';
import { useUi } from '../providers';

export interface AuditFilterValues {
  actor?: string;
  action?: string;
  phone?: string;
  from?: string;
  to?: string;
}

// max-w-full: the longest action's name never widens a phone screen.
const INPUT = 'mt-1 block min-h-8 max-w-full rounded border border-gray-400 px-2 py-1 text-sm dark:border-gray-500 dark:bg-gray-950';
const noop = () => () => {};

/** An ISO time as a datetime-local value in the browser's zone ("2026-12-05T18:30"). */
function localValue(iso: string | undefined): string {
  if (!iso || Number.isNaN(Date.parse(iso))) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * The audit log's filters (issue 27.5): they live in the URL (the server page reads them and the
 * API filters); the time range is typed in the browser's zone and sent as UTC. The CSV export
 * link carries the same filters.
 */
export function AuditFilters({ values, exportQuery }: { values: AuditFilterValues; exportQuery: string }) {
  const { t } = useUi();
  const router = useRouter();
  // The time inputs show the browser's zone: filled only once in the browser (no hydration mismatch).
  const inBrowser = useSyncExternalStore(noop, () => true, () => false);
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const p = new URLSearchParams();
    for (const name of ['actor', 'action', 'phone'] as const) {
      const v = String(form.get(name) ?? '').trim();
      if (v) p.set(name, v);
    }
    for (const name of ['from', 'to'] as const) {
      const v = String(form.get(name) ?? '');
      if (v && !Number.isNaN(Date.parse(v))) p.set(name, new Date(v).toISOString());
    }
    const qs = p.toString();
    router.push(qs ? `/audit?${qs}` : '/audit');
  };
  const any = Object.values(values).some(Boolean);
  return (
    <form onSubmit={onSubmit} role="search" aria-label={t('audit.filters')} className="flex flex-wrap items-end gap-3" data-testid="audit-filters">
      <label className="text-sm">
        {t('audit.filterActor')}
        <input name="actor" defaultValue={values.actor ?? ''} placeholder={t('audit.filterActorHint')} data-testid="audit-filter-actor" className={`${INPUT} w-56`} />
      </label>
      <label className="max-w-full text-sm">
        {t('audit.filterAction')}
        <select name="action" defaultValue={values.action ?? ''} data-testid="audit-filter-action" className={INPUT}>
          <option value="">{t('audit.filterAnyAction')}</option>
          {auditActionOptions(t).map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
        </select>
      </label>
      <label className="text-sm">
        {t('audit.filterPhone')}
        <input name="phone" inputMode="tel" defaultValue={values.phone ?? ''} placeholder="7705" data-testid="audit-filter-phone" className={`${INPUT} w-36 font-mono`} />
      </label>
      <label className="text-sm">
        {t('audit.filterFrom')}
        <input key={`from-${inBrowser}`} name="from" type="datetime-local" defaultValue={inBrowser ? localValue(values.from) : ''} data-testid="audit-filter-from" className={INPUT} />
      </label>
      <label className="text-sm">
        {t('audit.filterTo')}
        <input key={`to-${inBrowser}`} name="to" type="datetime-local" defaultValue={inBrowser ? localValue(values.to) : ''} data-testid="audit-filter-to" className={INPUT} />
      </label>
      <button type="submit" data-testid="audit-apply" className="min-h-8 rounded bg-emerald-700 px-3 py-1 text-sm font-medium text-white">{t('audit.apply')}</button>
      {any && (
        <button type="button" onClick={() => router.push('/audit')} data-testid="audit-clear" className="min-h-8 rounded border border-gray-400 px-3 py-1 text-sm dark:border-gray-500">{t('audit.clear')}</button>
      )}
      <a href={`/api/audit/export${exportQuery ? `?${exportQuery}` : ''}`} download data-testid="audit-export"
        className="inline-flex min-h-8 items-center rounded border border-gray-400 px-3 py-1 text-sm dark:border-gray-500">{t('audit.export')}</a>
    </form>
  );
}
