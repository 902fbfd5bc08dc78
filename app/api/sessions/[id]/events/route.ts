import { otherMethods, route } from '@/lib/api/route';
import { listSessionEvents as contract } from '@/lib/api/operations/sessions';
import { listSessionEvents } from '@/lib/phones/service';

export const dynamic = 'force-dynamic';

export const GET = route(contract, ({ params, query }) => listSessionEvents(params.id, query));

export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
