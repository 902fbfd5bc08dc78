import { idParams, otherMethods, route } from '@/lib/api/route';
import { deleteSession, getSessionDetail } from '@/lib/sessions-service';

export const dynamic = 'force-dynamic';

export const GET = route({ auth: 'read', params: idParams }, ({ params }) => getSessionDetail(params.id));

export const DELETE = route({ auth: 'admin', params: idParams }, ({ params, actor }) => deleteSession(params.id, actor));

export const { POST, PUT, PATCH } = otherMethods(['GET', 'DELETE']);
