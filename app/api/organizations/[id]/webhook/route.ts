import { otherMethods, route } from '@/lib/api/route';
import { getOrganizationWebhook as getContract, setOrganizationWebhook as setContract } from '@/lib/api/operations/admin';
import { getOrganizationWebhook, setOrganizationWebhook } from '@/lib/webhooks/service';

export const dynamic = 'force-dynamic';

export const GET = route(getContract, ({ params }) => getOrganizationWebhook(params.id));

export const PUT = route(setContract, ({ params, body, actor }) =>
  setOrganizationWebhook(params.id, body, actor),
);

export const { POST, PATCH, DELETE } = otherMethods(['GET', 'PUT']);
