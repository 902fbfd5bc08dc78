import { otherMethods, route } from '@/lib/api/route';
import { getSessionSummary } from '@/lib/api/operations/sessions';
import { sessionSummary } from '@/lib/phones/query';

export const dynamic = 'force-dynamic';

/** Phones per state and per health level (the console's summary tiles). */
export const GET = route(getSessionSummary, async ({ query }) => sessionSummary(query));

export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
