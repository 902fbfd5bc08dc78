import { otherMethods, route } from '@/lib/api/route';
import { sessionEventStream } from '@/lib/stream';
import { listSessions } from '@/lib/sessions-service';
import { getConfig } from '@/lib/config';

export const dynamic = 'force-dynamic';

export const GET = route({ auth: 'read' }, async ({ req }) =>
  sessionEventStream(req.signal, getConfig().SSE_HEARTBEAT_MS, { sessions: await listSessions() }),
);

export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
