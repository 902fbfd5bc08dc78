import { otherMethods, route } from '@/lib/api/route';
import { listWebhookDeliveries as contract } from '@/lib/api/operations/admin';
import { listDeliveries } from '@/lib/notify/service';

export const dynamic = 'force-dynamic';

export const GET = route(contract, ({ query }) => listDeliveries(query));

export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
