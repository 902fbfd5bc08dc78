import { NodesTable } from '@/components/nodes/NodesTable';
import { listFleetNodes } from '@/lib/fleet/nodes-service';
import { pageData } from '@/lib/http/request-outcome';
import { titledPage } from '@/app/server-locale';
import { consoleActor } from '../console-actor';

export const generateMetadata = titledPage('nodes.title');

export const dynamic = 'force-dynamic';

/** The fleet's live nodes (issue 27.9): the first paint from the database, then the API every 2 s. */
export default async function NodesPage() {
  await consoleActor();
  return <NodesTable initial={await pageData(listFleetNodes())} />;
}
