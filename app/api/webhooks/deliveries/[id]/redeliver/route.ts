import { idParams, otherMethods, route } from '@/lib/api/route';
import { redeliver } from '@/lib/notify/service';

export const dynamic = 'force-dynamic';

export const POST = route({ auth: 'admin', params: idParams }, ({ params, actor }) => redeliver(params.id, actor));

export const { GET, PUT, PATCH, DELETE } = otherMethods(['POST']);
