import { otherMethods, route } from '@/lib/api/route';
import { getSessionStats as contract } from '@/lib/api/operations/sessions';
import { getSessionStats } from '@/lib/phones/service';

export const dynamic = 'force-dynamic';

export const GET = route(contract, ({ params }) => getSessionStats(params.id));

export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
