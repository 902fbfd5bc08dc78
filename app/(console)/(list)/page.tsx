import { querySessionsPage, sessionSummary } from '@/lib/phones/query';
import { SessionsTable } from '@/components/sessions/SessionsTable';
import { pageQuery, summaryQuery, viewFromParams } from '@/lib/ui/list-params';
import { sessionListQuerySchema } from '@/lib/api/list-schemas';
import { titledPage } from '@/app/server-locale';
import { consoleActor } from '../console-actor';
import { pageData } from '@/lib/http/request-outcome';

export const dynamic = 'force-dynamic';

export const generateMetadata = titledPage('sessions.title');

export default async function SessionsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await consoleActor();
  // First paint from the server: the page and tile counts of the view the URL names (issue
  // 27.3), read as the API reads them; the client keeps them live.
  const raw = await searchParams;
  const view = viewFromParams((name) => { const v = raw[name]; return Array.isArray(v) ? v[0] : v; });
  const qs = pageQuery(view.filters, view.sort, view.page);
  const sq = summaryQuery(view.filters);
  const query = sessionListQuerySchema.parse(Object.fromEntries(new URLSearchParams(qs)));
  const [page, summary] = await pageData(
    Promise.all([querySessionsPage(query), sessionSummary({ q: query.q, organizationId: query.organizationId })]),
  );
  return <SessionsTable initialPage={page} initialSummary={summary} initialQs={qs} initialSq={sq} />;
}
