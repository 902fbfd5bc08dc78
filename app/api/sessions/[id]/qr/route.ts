import { idParams, otherMethods, route } from '@/lib/api/route';
import { getQr } from '@/lib/sessions-service';

export const dynamic = 'force-dynamic';

export const GET = route({ auth: 'read', params: idParams }, ({ params }) => getQr(params.id));

export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
