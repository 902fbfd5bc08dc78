import Link from 'next/link';
import { listAudit } from '@/lib/audit';
import { auditQuerySchema } from '@/lib/api/schemas';
import { getDb } from '@/lib/db/client';
import { requestLocale, titledPage } from '@/app/server-locale';
import { translator } from '@/lib/ui/i18n';
import { auditActionDetail, auditActionText } from '@/lib/ui/audit-text';
import { RelativeTime } from '@/components/ui/RelativeTime';
import { CARD_CELL, CARD_ROW, EmptyNote, Table } from '@/components/ui/Table';
import { AuditFilters } from '@/components/audit/AuditFilters';
import { consoleActor } from '../console-actor';
import { pageData } from '@/lib/http/request-outcome';

export const generateMetadata = titledPage('audit.title');

export const dynamic = 'force-dynamic';

// On a phone screen each entry becomes a two-column card with the header's labels in the cells.
const CELL = `px-3 ${CARD_CELL}`;
const FILTERS = ['actor', 'action', 'phone', 'from', 'to'] as const;

/**
 * The audit log as a table an auditor can filter (who, what, phone, time range; in the URL, done
 * by the API's query) and export as CSV (issue 27.5).
 */
export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await consoleActor();
  const raw = await searchParams;
  const given = Object.fromEntries(
    [...FILTERS, 'before'].flatMap((k) => { const v = raw[k]; const s = Array.isArray(v) ? v[0] : v; return s ? [[k, s]] : []; }),
  ) as Partial<Record<(typeof FILTERS)[number] | 'before', string>>;
  const parsed = auditQuerySchema.safeParse({ ...given, limit: '50' });
  const query = parsed.success ? parsed.data : { limit: 50 };
  const page = await pageData(listAudit(getDb(), query));
  const locale = await requestLocale();
  const t = translator(locale);
  const filterParams = new URLSearchParams();
  if (parsed.success) for (const k of FILTERS) if (given[k]) filterParams.set(k, given[k]!);
  const filterQs = filterParams.toString();
  const filtered = filterQs !== '';
  return (
    <section className="space-y-4">
      <h1 className="text-xl font-semibold">{t('audit.title')}</h1>
      <AuditFilters values={parsed.success ? given : {}} exportQuery={filterQs} />
      {!parsed.success && (
        <p role="alert" data-testid="audit-invalid" className="text-sm text-red-800 dark:text-red-300">
          {t('audit.invalidFilter', { error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') })}
        </p>
      )}
      {page.items.length === 0 ? (
        <EmptyNote testId="audit-empty">{t(filtered ? 'audit.noMatch' : 'audit.empty')}</EmptyNote>
      ) : (
        <Table testId="audit-table" cards headers={(['audit.when', 'audit.actor', 'audit.action', 'audit.target', 'audit.reason', 'audit.result'] as const).map((k) => t(k))}>
          {page.items.map((a) => (
            <tr key={a.id} className={CARD_ROW} data-testid="audit-row" data-action={a.action}>
              <td data-label={t('audit.when')} className={`${CELL} whitespace-nowrap`}><RelativeTime iso={a.createdAt} /></td>
              <td data-label={t('audit.actor')} className={`${CELL} [overflow-wrap:anywhere]`}>{a.actorName} <span className="text-xs text-gray-600 dark:text-gray-400">({a.actorType})</span></td>
              <td data-label={t('audit.action')} className={CELL} title={a.action} data-testid="audit-action">
                {auditActionText(t, a.action)}
                {auditActionDetail(t, a.action, a.detail) && <span className="block text-xs text-gray-700 dark:text-gray-300" data-testid="audit-action-detail">{auditActionDetail(t, a.action, a.detail)}</span>}
              </td>
              <td data-label={t('audit.target')} className={CELL} data-testid="audit-target">
                {a.targetType === 'phone' ? (
                  <Link className="inline-block min-h-6 font-mono text-emerald-800 hover:underline dark:text-emerald-300" href={`/sessions/${a.targetId}`}>{a.targetLabel ?? t('audit.phoneTarget', { id: a.targetId ?? '?' })}</Link>
                ) : a.targetType ? `${a.targetType} #${a.targetId}` : '—'}
              </td>
              <td data-label={t('audit.reason')} className={`${CELL} [overflow-wrap:anywhere]`}>{a.reason ?? '—'}</td>
              <td data-label={t('audit.result')} className={`${CELL} ${a.result === 'ok' ? 'text-emerald-700 dark:text-emerald-400' : 'text-red-700 dark:text-red-300'}`}>{a.result === 'ok' ? t('audit.result.ok') : a.result === 'error' ? t('audit.result.error') : a.result}</td>
            </tr>
          ))}
        </Table>
      )}
      <nav className="flex gap-4 text-sm" aria-label={t('audit.title')}>
        {given.before && <Link href={filtered ? `/audit?${filterQs}` : '/audit'} className="text-emerald-700 hover:underline dark:text-emerald-400" data-testid="audit-newest">{t('audit.newest')}</Link>}
        {page.nextCursor && <Link href={`/audit?${new URLSearchParams([...filterParams, ['before', String(page.nextCursor)]])}`} className="text-emerald-700 hover:underline dark:text-emerald-400" data-testid="audit-older">{t('audit.older')}</Link>}
      </nav>
    </section>
  );
}
