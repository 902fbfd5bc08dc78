import { otherMethods, route } from '@/lib/api/route';
import { messageParams } from '@/lib/api/message-schemas';
import { canUseContent } from '@/lib/auth/roles';
import { getMessage } from '@/lib/messages/service';

export const dynamic = 'force-dynamic';

export const GET = route({ auth: 'read', params: messageParams }, ({ params, actor }) => getMessage(params.id, params.messageId, canUseContent(actor)));

export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
