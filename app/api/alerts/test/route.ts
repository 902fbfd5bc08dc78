import { otherMethods, route } from '@/lib/api/route';
import { sendTestAlert as contract } from '@/lib/api/operations/alerts';
import { sendTestAlert } from '@/lib/alerts/service';

export const dynamic = 'force-dynamic';

export const POST = route(contract, ({ body, actor }) => sendTestAlert(body, actor));

export const { GET, PUT, PATCH, DELETE } = otherMethods(['POST']);
