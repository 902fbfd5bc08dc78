import { otherMethods, route } from '@/lib/api/route';
import { getAlertRecipients as getContract, setAlertRecipients as setContract } from '@/lib/api/operations/alerts';
import { getAlertRecipients, setAlertRecipients } from '@/lib/alerts/service';

export const dynamic = 'force-dynamic';

export const GET = route(getContract, ({ params }) => getAlertRecipients(params.id));
export const PUT = route(setContract, ({ params, body, actor }) => setAlertRecipients(params.id, body.emails, actor));

export const { POST, PATCH, DELETE } = otherMethods(['GET', 'PUT']);
