import { otherMethods, route } from '@/lib/api/route';
import { authorize } from '@/lib/auth/guard';
import { sessionEventStream } from '@/lib/stream/sse';
import { getConfig } from '@/lib/config';
import { getEventLog } from '@/lib/stream/event-log';
import { streamSessionEvents } from '@/lib/api/operations/sessions';

export const dynamic = 'force-dynamic';

export const GET = route(streamSessionEvents, async ({ req, query, actor }) => {
  const config = getConfig();
  const log = getEventLog(config.SSE_BUFFER_SIZE);
  const lastEventId = req.headers.get('last-event-id') ?? query.lastEventId ?? null;
  return sessionEventStream(
    req.signal,
    config.SSE_HEARTBEAT_MS,
    {
      canPair: actor?.role === 'admin',
      recheckMs: config.SSE_AUTH_RECHECK_MS,
      // The guard's own check, again: a revoked token or an ended sign-in session (sign-out, role or
      // password change, deletion) ends the stream; so does any change of role.
      stillAllowed: async () => (await authorize(req, 'read'))?.role === actor?.role,
    },
    { log, lastEventId },
  );
});

export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
