import { idParams, otherMethods, route } from '@/lib/api/route';
import { startSession } from '@/lib/sessions-service';

export const dynamic = 'force-dynamic';

export const POST = route({ auth: 'admin', params: idParams }, ({ params, actor }) => startSession(params.id, actor));

export const { GET, PUT, PATCH, DELETE } = otherMethods(['POST']);
