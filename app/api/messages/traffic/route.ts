import { otherMethods, route } from '@/lib/api/route';
import { getMessageTraffic } from '@/lib/api/operations/messages';
import { trafficOfPhones } from '@/lib/messages/service';

export const dynamic = 'force-dynamic';

/** The message traffic of a page of phones. */
export const GET = route(getMessageTraffic, ({ query }) => trafficOfPhones(query.ids));

export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
