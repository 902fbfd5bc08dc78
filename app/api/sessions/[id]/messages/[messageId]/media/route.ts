// The media of a message, downloaded from WhatsApp's media host on request (not stored).
import { otherMethods, route } from '@/lib/api/route';
import { getMessageMedia as contract } from '@/lib/api/operations/messages';
import { messageMedia } from '@/lib/messages/service';

export const dynamic = 'force-dynamic';

export const GET = route(contract, async ({ params }) => {
  const { data, mimetype } = await messageMedia(params.id, params.messageId);
  return new Response(new Uint8Array(data), { status: 200, headers: { 'content-type': mimetype, 'content-length': String(data.length), 'cache-control': 'no-store' } });
});

export const { POST, PUT, PATCH, DELETE } = otherMethods(['GET']);
