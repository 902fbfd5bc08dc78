import { otherMethods, route } from '@/lib/api/route';
import { getMessage as contract } from '@/lib/api/operations/messages';
import { canUseContent } from '@/lib/auth/roles';
import { getMessage } from '@/lib/messages/service';

export const dynamic = 'force-dynamic';

export const GET = route(contract, ({ params, actor }) => getMessage(params.id, params.messageId, canUseContent(actor)));

export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
