import { otherMethods, route } from '@/lib/api/route';
import { muteAlerts, unmuteAlerts } from '@/lib/api/operations/alerts';
import { mutePhone, unmutePhone } from '@/lib/alerts/service';

export const dynamic = 'force-dynamic';

/** `id` is the phone's. */
export const PUT = route(muteAlerts, ({ params, body, actor }) => mutePhone(params.id, body.minutes, actor));
export const DELETE = route(unmuteAlerts, ({ params, actor }) => unmutePhone(params.id, actor));

export const { GET, POST, PATCH } = otherMethods(['PUT', 'DELETE']);
