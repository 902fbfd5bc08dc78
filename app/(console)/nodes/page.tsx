import { NodesTable } from '@/components/nodes/NodesTable';
import { listFleetNodes } from '@/lib/fleet/nodes-service';
import { pageData } from '@/lib/http/request-outcome';
import { requestLocale } from '@/lib/ui/server-locale';
import { translator } from '@/lib/ui/i18n';
import { consoleActor } from '../console-actor';
import type { Metadata } from 'next';

export async function generateMetadata(): Promise<Metadata> {
  const t = translator(await requestLocale());
  return { title: `${t('nodes.title')} · ${t('app.title')}` };
}

export const dynamic = 'force-dynamic';

/** The fleet's live nodes (issue 27.9): the first paint from the database, then the API every 2 s. */
export default async function NodesPage() {
  await consoleActor();
  return <NodesTable initial={await pageData(listFleetNodes())} />;
}
