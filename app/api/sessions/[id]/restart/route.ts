import { otherMethods, route } from '@/lib/api/route';
import { restartSession as contract } from '@/lib/api/operations/sessions';
import { restartSession } from '@/lib/phones/service';

export const dynamic = 'force-dynamic';

export const POST = route(contract, ({ params, actor }) => restartSession(params.id, actor));

export const { GET, PUT, PATCH, DELETE } = otherMethods(['POST']);
