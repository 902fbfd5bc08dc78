import { listSessions } from '@/lib/sessions-service';
import { SessionsTable } from '@/components/sessions/SessionsTable';
import { consoleActor } from './console-actor';

export const dynamic = 'force-dynamic';

export default async function SessionsPage() {
  await consoleActor();
  // First paint from the server; the client keeps it live.
  const sessions = await listSessions();
  return <SessionsTable initial={sessions} />;
}
