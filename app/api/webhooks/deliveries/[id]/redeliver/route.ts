import { otherMethods, route } from '@/lib/api/route';
import { redeliverWebhook as contract } from '@/lib/api/operations/admin';
import { redeliver } from '@/lib/webhooks/service';

export const dynamic = 'force-dynamic';

export const POST = route(contract, ({ params, actor }) => redeliver(params.id, actor));

export const { GET, PUT, PATCH, DELETE } = otherMethods(['POST']);
