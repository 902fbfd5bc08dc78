import { otherMethods, route } from '@/lib/api/route';
import { startSession as contract } from '@/lib/api/operations/sessions';
import { startSession } from '@/lib/phones/service';

export const dynamic = 'force-dynamic';

export const POST = route(contract, ({ params, actor }) => startSession(params.id, actor));

export const { GET, PUT, PATCH, DELETE } = otherMethods(['POST']);
