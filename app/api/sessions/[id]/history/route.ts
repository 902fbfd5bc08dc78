import { idParams, otherMethods, route } from '@/lib/api/route';
import { historyQuerySchema } from '@/lib/api/health-schemas';
import { getPhoneHistory } from '@/lib/health/api';

export const dynamic = 'force-dynamic';

/** The phone's history: state bands, uptime, drops, reconnect times, last closes, decryption failures. */
export const GET = route({ auth: 'read', params: idParams, query: historyQuerySchema }, ({ params, query }) => getPhoneHistory(params.id, query));

export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
