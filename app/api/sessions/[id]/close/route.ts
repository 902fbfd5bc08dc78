import { idParams, otherMethods, route } from '@/lib/api/route';
import { json, ApiError } from '@/lib/api/errors';
import { closeBodySchema } from '@/lib/api/session-schemas';
import { closeSession } from '@/lib/sessions-service';

export const dynamic = 'force-dynamic';

export const POST = route({ auth: 'admin', params: idParams, body: closeBodySchema }, async ({ params, body, actor }) => {
  try {
    return await closeSession(params.id, body.reason, actor);
  } catch (err) {
    if (err instanceof ApiError) throw err;
    // The seed's failure shape.
    return json({ success: false, error: err instanceof Error ? err.message : 'Failed to close the session' }, 500);
  }
});

export const { GET, PUT, PATCH, DELETE } = otherMethods(['POST']);
