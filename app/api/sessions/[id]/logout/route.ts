import { idParams, otherMethods, route } from '@/lib/api/route';
import { closeBodySchema } from '@/lib/api/session-schemas';
import { logoutSession } from '@/lib/sessions-actions';

export const dynamic = 'force-dynamic';

/** Unlinks the phone from WhatsApp (credentials dropped): it must pair again (QR or code). */
export const POST = route({ auth: 'admin', params: idParams, body: closeBodySchema }, ({ params, body, actor }) => logoutSession(params.id, body.reason, actor));

export const { GET, PUT, PATCH, DELETE } = otherMethods(['POST']);
