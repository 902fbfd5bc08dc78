import { otherMethods, route } from '@/lib/api/route';
import { getSessionHistory } from '@/lib/api/operations/health';
import { getPhoneHistory } from '@/lib/health/api';

export const dynamic = 'force-dynamic';

/** The phone's history: state bands, uptime, drops, reconnect times, last closes, decryption failures. */
export const GET = route(getSessionHistory, ({ params, query }) => getPhoneHistory(params.id, query));

export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
