import { idParams, otherMethods, route } from '@/lib/api/route';
import { updateSessionBodySchema } from '@/lib/api/session-schemas';
import { deleteSession, getSessionDetail, updateSession } from '@/lib/sessions-service';

export const dynamic = 'force-dynamic';

export const GET = route({ auth: 'read', params: idParams }, ({ params }) => getSessionDetail(params.id));

/** The phone's settings: label and proxy (a new proxy restarts a running socket). */
export const PATCH = route({ auth: 'admin', params: idParams, body: updateSessionBodySchema }, ({ params, body, actor }) => updateSession(params.id, body, actor));

export const DELETE = route({ auth: 'admin', params: idParams }, ({ params, actor }) => deleteSession(params.id, actor));

export const { POST, PUT } = otherMethods(['GET', 'PATCH', 'DELETE']);
