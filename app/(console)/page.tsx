import { listSessions } from '@/lib/sessions-service';
import { SessionsTable } from '@/components/sessions/SessionsTable';

export const dynamic = 'force-dynamic';

export default async function SessionsPage() {
  // First paint from the server; the client keeps it live.
  const sessions = await listSessions();
  return <SessionsTable initial={sessions} />;
}
