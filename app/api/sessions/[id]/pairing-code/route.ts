import { otherMethods, route } from '@/lib/api/route';
import { requestPairingCode as contract } from '@/lib/api/operations/sessions';
import { requestPairingCode } from '@/lib/phones/service';

export const dynamic = 'force-dynamic';

export const POST = route(contract, ({ params, actor }) => requestPairingCode(params.id, actor));

export const { GET, PUT, PATCH, DELETE } = otherMethods(['POST']);
