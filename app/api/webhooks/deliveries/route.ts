import { otherMethods, route } from '@/lib/api/route';
import { listWebhookDeliveries as contract } from '@/lib/api/operations/admin';
import { listDeliveries } from '@/lib/webhooks/service';
import { canUseContent } from '@/lib/auth/roles';

export const dynamic = 'force-dynamic';

// Message content in a payload only for admin users and `messages` tokens (docs/messages.md, Scopes).
export const GET = route(contract, ({ query, actor }) => listDeliveries(query, canUseContent(actor)));

export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
