import { otherMethods, route } from '@/lib/api/route';
import { deliveriesQuerySchema } from '@/lib/api/schemas';
import { listDeliveries } from '@/lib/notify/service';

export const dynamic = 'force-dynamic';

export const GET = route({ auth: 'read', query: deliveriesQuerySchema }, ({ query }) => listDeliveries(query));

export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
