import { idParams, otherMethods, route } from '@/lib/api/route';
import { requestPairingCode } from '@/lib/sessions-service';

export const dynamic = 'force-dynamic';

export const POST = route({ auth: 'admin', params: idParams }, ({ params, actor }) => requestPairingCode(params.id, actor));

export const { GET, PUT, PATCH, DELETE } = otherMethods(['POST']);
