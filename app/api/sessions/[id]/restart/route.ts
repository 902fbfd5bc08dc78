import { idParams, route } from '@/lib/api/route';
import { restartSession } from '@/lib/sessions-service';

export const dynamic = 'force-dynamic';

export const POST = route({ auth: 'admin', params: idParams }, ({ params, actor }) => restartSession(params.id, actor));
