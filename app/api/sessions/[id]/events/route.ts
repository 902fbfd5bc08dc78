import { idParams, otherMethods, route } from '@/lib/api/route';
import { pageQuerySchema } from '@/lib/api/session-schemas';
import { listSessionEvents } from '@/lib/sessions-service';

export const dynamic = 'force-dynamic';

export const GET = route({ auth: 'read', params: idParams, query: pageQuerySchema }, ({ params, query }) => listSessionEvents(params.id, query));

export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
