import { otherMethods, route } from '@/lib/api/route';
import { sendTestWebhook as contract } from '@/lib/api/operations/admin';
import { sendTestDelivery } from '@/lib/webhooks/service';

export const dynamic = 'force-dynamic';

export const POST = route(contract, ({ body, actor }) => sendTestDelivery(body.organizationId, actor));

export const { GET, PUT, PATCH, DELETE } = otherMethods(['POST']);
