import Link from 'next/link';
import { listAudit } from '@/lib/audit';
import { getDb } from '@/lib/db/client';
import { requestLocale } from '@/lib/ui/server-locale';
import { formatDate, translator } from '@/lib/ui/i18n';
import { consoleActor } from '../console-actor';
import { pageData } from '@/lib/http/request-outcome';
import type { Metadata } from 'next';
import { requestLocale as pageLocale } from '@/lib/ui/server-locale';
import { translator as pageTranslator } from '@/lib/ui/i18n';

export async function generateMetadata(): Promise<Metadata> {
  const t = pageTranslator(await pageLocale());
  return { title: `${t('audit.title')} · ${t('app.title')}` };
}

export const dynamic = 'force-dynamic';

// On a phone screen each entry becomes a two-column card with the header's labels in the cells.
const CELL = 'px-3 py-2 max-md:block max-md:px-0 max-md:py-1 max-md:before:block max-md:before:text-xs max-md:before:uppercase max-md:before:text-gray-600 dark:max-md:before:text-gray-400 max-md:before:content-[attr(data-label)]';

export default async function AuditPage({ searchParams }: { searchParams: Promise<{ before?: string }> }) {
  await consoleActor();
  const { before } = await searchParams;
  const cursor = before && /^\d{1,10}$/.test(before) ? Number(before) : undefined;
  const page = await pageData(listAudit(getDb(), { limit: 50, before: cursor }));
  const locale = await requestLocale();
  const t = translator(locale);
  return (
    <section className="space-y-4">
      <h1 className="text-xl font-semibold">{t('audit.title')}</h1>
      {page.items.length === 0 ? (
        <p className="rounded border border-dashed border-gray-300 p-6 text-center text-sm text-gray-600 dark:border-gray-700 dark:text-gray-400" data-testid="audit-empty">{t('audit.empty')}</p>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-gray-200 dark:border-gray-800">
          <table className="min-w-full text-sm max-md:block" data-testid="audit-table">
            <thead className="bg-gray-50 max-md:sr-only dark:bg-gray-900">
              <tr>
                {(['audit.when', 'audit.actor', 'audit.action', 'audit.target', 'audit.reason', 'audit.result'] as const).map((k) => (
                  <th key={k} scope="col" className="px-3 py-2 text-left font-medium">{t(k)}</th>
                ))}
              </tr>
            </thead>
            <tbody className="max-md:block">
              {page.items.map((a) => (
                <tr key={a.id} className="border-t border-gray-100 max-md:grid max-md:grid-cols-2 max-md:gap-x-4 max-md:px-3 max-md:py-2 dark:border-gray-800" data-testid="audit-row">
                  <td data-label={t('audit.when')} className={`${CELL} whitespace-nowrap`}>{formatDate(locale, a.createdAt)}</td>
                  <td data-label={t('audit.actor')} className={CELL}>{a.actorName} <span className="text-xs text-gray-600 dark:text-gray-400">({a.actorType})</span></td>
                  <td data-label={t('audit.action')} className={`${CELL} font-mono text-xs`}>{a.action}</td>
                  <td data-label={t('audit.target')} className={CELL}>{a.targetType ? (a.targetType === 'phone' ? <Link className="hover:underline" href={`/sessions/${a.targetId}`}>{a.targetType} #{a.targetId}</Link> : `${a.targetType} #${a.targetId}`) : '—'}</td>
                  <td data-label={t('audit.reason')} className={CELL}>{a.reason ?? '—'}</td>
                  <td data-label={t('audit.result')} className={`${CELL} ${a.result === 'ok' ? 'text-emerald-700 dark:text-emerald-400' : 'text-red-700 dark:text-red-300'}`}>{a.result}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="flex gap-4 text-sm" aria-label={t('audit.title')}>
        {cursor !== undefined && <Link href="/audit" className="text-emerald-700 hover:underline dark:text-emerald-400" data-testid="audit-newest">{t('audit.newest')}</Link>}
        {page.nextCursor && <Link href={`/audit?before=${page.nextCursor}`} className="text-emerald-700 hover:underline dark:text-emerald-400" data-testid="audit-older">{t('audit.older')}</Link>}
      </nav>
    </section>
  );
}
