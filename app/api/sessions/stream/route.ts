import { otherMethods, route } from '@/lib/api/route';
import { sessionEventStream } from '@/lib/stream';
import { listSessions } from '@/lib/sessions-service';
import { getConfig } from '@/lib/config';
import { getEventLog } from '@/lib/sse-log';

export const dynamic = 'force-dynamic';

export const GET = route({ auth: 'read' }, async ({ req }) => {
  const log = getEventLog(getConfig().SSE_BUFFER_SIZE);
  const sinceSeq = log.lastSeq; // before the snapshot: what happens while it is read is sent after it
  const sessions = await listSessions();
  const lastEventId = req.headers.get('last-event-id') ?? new URL(req.url).searchParams.get('lastEventId');
  return sessionEventStream(req.signal, getConfig().SSE_HEARTBEAT_MS, { sessions }, { log, lastEventId, sinceSeq });
});

export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
