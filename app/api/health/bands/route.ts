import { otherMethods, route } from '@/lib/api/route';
import { getStateBands } from '@/lib/api/operations/health';
import { getBands } from '@/lib/health/api';

export const dynamic = 'force-dynamic';

/** The 7-day state bands of a page of phones. */
export const GET = route(getStateBands, ({ query }) => getBands(query.ids));

export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
