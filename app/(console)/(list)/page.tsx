import type { Metadata } from 'next';
import { querySessionsPage, sessionSummary } from '@/lib/sessions-query';
import { SessionsTable } from '@/components/sessions/SessionsTable';
import { PAGE_SIZE } from '@/lib/ui/list-params';
import { requestLocale } from '@/lib/ui/server-locale';
import { translator } from '@/lib/ui/i18n';
import { consoleActor } from '../console-actor';
import { pageData } from '@/lib/http/request-outcome';

export const dynamic = 'force-dynamic';

export async function generateMetadata(): Promise<Metadata> {
  const t = translator(await requestLocale());
  return { title: `${t('sessions.title')} · ${t('app.title')}` };
}

export default async function SessionsPage() {
  await consoleActor();
  // First paint from the server: one page and the tile counts; the client keeps them live.
  const [page, summary] = await pageData(
    Promise.all([querySessionsPage({ limit: PAGE_SIZE, page: 1, sort: { field: 'id', dir: 'desc' } /* DEFAULT_SORT */ }), sessionSummary()]),
  );
  return <SessionsTable initialPage={page} initialSummary={summary} />;
}
