import { otherMethods, route } from '@/lib/api/route';
import { logoutSession as contract } from '@/lib/api/operations/sessions';
import { logoutSession } from '@/lib/phones/actions';

export const dynamic = 'force-dynamic';

/** Unlinks the phone from WhatsApp (credentials dropped): it must pair again (QR or code). */
export const POST = route(contract, ({ params, body, actor }) => logoutSession(params.id, body.reason, actor));

export const { GET, PUT, PATCH, DELETE } = otherMethods(['POST']);
