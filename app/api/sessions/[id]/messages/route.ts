import { ApiError, otherMethods, route } from '@/lib/api/route';
import { json } from '@/lib/api/errors';
import { IDEMPOTENCY_KEY, listMessages as listContract, sendMessage as sendContract } from '@/lib/api/operations/messages';
import { canUseContent } from '@/lib/auth/roles';
import { getConfig } from '@/lib/config';
import { listMessages, mediaProblem, submitMessage } from '@/lib/messages/service';

export const dynamic = 'force-dynamic';

export const GET = route(listContract, ({ params, query, actor }) => listMessages(params.id, query, canUseContent(actor)));

export const POST = route(sendContract, async ({ req, params, body }) => {
  const key = req.headers.get('idempotency-key');
  if (key !== null && !IDEMPOTENCY_KEY.test(key)) throw new ApiError(400, 'Idempotency-Key must be 1 to 200 visible ASCII characters', 'bad_request');
  const media = 'media' in body ? body.media : undefined;
  if (media) {
    const problem = mediaProblem(media, getConfig().MESSAGE_MEDIA_MAX_BYTES);
    if (problem === 'unsupported') throw new ApiError(415, `media.mimetype ${media.mimetype} is not supported for ${media.kind}`, 'unsupported_media_type');
    if (problem === 'too_large') throw new ApiError(413, `media is larger than MESSAGE_MEDIA_MAX_BYTES (${getConfig().MESSAGE_MEDIA_MAX_BYTES} bytes)`, 'media_too_large');
  }
  const { created, message } = await submitMessage({ phoneId: params.id, to: body.to, text: 'text' in body ? body.text : undefined, media, idempotencyKey: key, raw: body }, true);
  return json(created ? { id: message.id, status: message.status, to: body.to, createdAt: message.createdAt } : message, created ? 202 : 200);
});

export const { PUT, PATCH, DELETE } = otherMethods(['GET', 'POST']);
