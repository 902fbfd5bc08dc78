import Link from 'next/link';
import { listAudit } from '@/lib/audit';
import { getDb } from '@/lib/db/client';
import { requestLocale } from '@/lib/ui/server-locale';
import { formatDate, translator } from '@/lib/ui/i18n';

export const dynamic = 'force-dynamic';

export default async function AuditPage({ searchParams }: { searchParams: Promise<{ before?: string }> }) {
  const { before } = await searchParams;
  const cursor = before && /^\d{1,10}$/.test(before) ? Number(before) : undefined;
  const page = await listAudit(getDb(), { limit: 50, before: cursor });
  const locale = await requestLocale();
  const t = translator(locale);
  return (
    <section className="space-y-4">
      <h1 className="text-xl font-semibold">{t('audit.title')}</h1>
      {page.items.length === 0 ? (
        <p className="text-sm text-gray-500">{t('audit.empty')}</p>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-gray-200 dark:border-gray-800">
          <table className="min-w-full text-sm" data-testid="audit-table">
            <thead className="bg-gray-50 dark:bg-gray-900">
              <tr>
                {(['audit.when', 'audit.actor', 'audit.action', 'audit.target', 'audit.reason', 'audit.result'] as const).map((k) => (
                  <th key={k} scope="col" className="px-3 py-2 text-left font-medium">{t(k)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {page.items.map((a) => (
                <tr key={a.id} className="border-t border-gray-100 dark:border-gray-800" data-testid="audit-row">
                  <td className="px-3 py-2 whitespace-nowrap">{formatDate(locale, a.createdAt)}</td>
                  <td className="px-3 py-2">{a.actorName} <span className="text-xs text-gray-500">({a.actorType})</span></td>
                  <td className="px-3 py-2 font-mono text-xs">{a.action}</td>
                  <td className="px-3 py-2">{a.targetType ? (a.targetType === 'phone' ? <Link className="hover:underline" href={`/sessions/${a.targetId}`}>{a.targetType} #{a.targetId}</Link> : `${a.targetType} #${a.targetId}`) : '—'}</td>
                  <td className="px-3 py-2">{a.reason ?? '—'}</td>
                  <td className={`px-3 py-2 ${a.result === 'ok' ? 'text-emerald-700 dark:text-emerald-400' : 'text-red-600'}`}>{a.result}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page.nextCursor && <Link href={`/audit?before=${page.nextCursor}`} className="text-sm text-emerald-700 hover:underline">{t('audit.older')}</Link>}
    </section>
  );
}
