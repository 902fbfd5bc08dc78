import { idParams, route } from '@/lib/api/route';
import { getQr } from '@/lib/sessions-service';

export const dynamic = 'force-dynamic';

export const GET = route({ auth: 'read', params: idParams }, ({ params }) => getQr(params.id));
