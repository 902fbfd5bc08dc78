import { idParams, otherMethods, route } from '@/lib/api/route';
import { organizationWebhookBodySchema } from '@/lib/api/schemas';
import { getOrganizationWebhook, setOrganizationWebhook } from '@/lib/notify/service';

export const dynamic = 'force-dynamic';

export const GET = route({ auth: 'admin', params: idParams }, ({ params }) => getOrganizationWebhook(params.id));

export const PUT = route({ auth: 'admin', params: idParams, body: organizationWebhookBodySchema }, ({ params, body, actor }) =>
  setOrganizationWebhook(params.id, body, actor),
);

export const { POST, PATCH, DELETE } = otherMethods(['GET', 'PUT']);
