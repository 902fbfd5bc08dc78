import { otherMethods, route } from '@/lib/api/route';
import { closeSession as contract } from '@/lib/api/operations/sessions';
import { json } from '@/lib/api/errors';
import { asDomainError } from '@/lib/errors';
import { getLogger } from '@/lib/logger';
import { closeSession } from '@/lib/phones/service';

export const dynamic = 'force-dynamic';

export const POST = route(contract, async ({ params, body, actor }) => {
  try {
    return await closeSession(params.id, body.reason, actor);
  } catch (err) {
    // Not found, unavailable…: the wrapper's one mapping (404, 503).
    if (asDomainError(err)) throw err;
    // The seed's failure shape, without the raw internals (those go to the log).
    getLogger().error({ err, phoneId: params.id }, 'closing a session failed');
    return json({ success: false, error: 'Failed to close the session', code: 'close_failed' }, 500);
  }
});

export const { GET, PUT, PATCH, DELETE } = otherMethods(['POST']);
