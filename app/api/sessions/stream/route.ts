import { otherMethods, route } from '@/lib/api/route';
import { authorize } from '@/lib/auth/guard';
import { sessionEventStream } from '@/lib/stream';
import { listSessions } from '@/lib/sessions-service';
import { getConfig } from '@/lib/config';

export const dynamic = 'force-dynamic';

export const GET = route({ auth: 'read' }, async ({ req, actor }) => {
  const config = getConfig();
  return sessionEventStream(req.signal, config.SSE_HEARTBEAT_MS, { sessions: await listSessions() }, {
    canPair: actor?.role === 'admin',
    recheckMs: config.SSE_AUTH_RECHECK_MS,
    // The guard's own check, again: a revoked token or an ended sign-in session (sign-out, role or
    // password change, deletion) ends the stream; so does any change of role.
    stillAllowed: async () => (await authorize(req, 'read'))?.role === actor?.role,
  });
});

export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
