// Contracts of /api/sessions/{id}/messages/* (docs/messages.md; lib/api/contract.ts).
import { z } from 'zod';
import { defineRoute, idParams } from '../contract';
import { acceptedMessageSchema, messageListQuerySchema, messagePageSchema, messageParams, messageSchema, sendMessageBodySchema } from '../message-schemas';
import { named } from '../named-schemas';
import { bandsQuerySchema } from '../health-schemas';
import { trafficSchema } from '../session-schemas';

named('Message', messageSchema);
named('MessagePage', messagePageSchema);
named('AcceptedMessage', acceptedMessageSchema);

/** Visible ASCII, 1 to 200 characters (checked by the handler: 400 otherwise). */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

const errorBody = { $ref: '#/components/schemas/Error' };

export const sendMessage = defineRoute({
  method: 'post', path: '/api/sessions/{id}/messages', operationId: 'sendMessage', tag: 'messages', auth: 'messages', params: idParams, body: sendMessageBodySchema,
  headers: [
    {
      name: 'Idempotency-Key',
      description: 'the same key with the same body answers the stored message (200); with another body 409 idempotency_conflict',
      schema: z.string().regex(IDEMPOTENCY_KEY),
    },
  ],
  summary: "Queue a text or media message (stored before the answer; sent by the phone's owner)",
  description: 'Needs an admin user or a token with the `messages` scope. A closed or logged-out phone: 409 `not_connected`. docs/messages.md.',
  responses: {
    202: { description: 'Stored and queued', schema: acceptedMessageSchema },
    200: { description: 'The message stored earlier under this Idempotency-Key', schema: messageSchema },
    409: 'Conflict',
    413: { description: 'Media larger than MESSAGE_MEDIA_MAX_BYTES (code media_too_large), or a body over API_BODY_LIMIT (code payload_too_large)', jsonSchema: errorBody },
    415: { description: 'A mimetype the media kind does not take, or a body that is not JSON (code unsupported_media_type)', jsonSchema: errorBody },
  },
});

export const listMessages = defineRoute({
  method: 'get', path: '/api/sessions/{id}/messages', operationId: 'listMessages', tag: 'messages', auth: 'read', params: idParams, query: messageListQuerySchema,
  summary: 'Messages of the phone, newest first (text and media only for admin users and `messages` tokens)',
  responses: { 200: { description: 'A page', schema: messagePageSchema } },
});

export const getMessage = defineRoute({
  method: 'get', path: '/api/sessions/{id}/messages/{messageId}', operationId: 'getMessage', tag: 'messages', auth: 'read', params: messageParams,
  summary: 'One message and its status (text and media only for admin users and `messages` tokens)',
  responses: { 200: { description: 'The message', schema: messageSchema } },
});

/** Phone id → its traffic; unknown ids are absent. */
export const trafficPageSchema = z.object({ phones: z.record(z.string(), trafficSchema) });
named('TrafficPage', trafficPageSchema);

export const getMessageTraffic = defineRoute({
  method: 'get', path: '/api/messages/traffic', operationId: 'getMessageTraffic', tag: 'messages', auth: 'read', query: bandsQuerySchema,
  summary: "The message traffic of up to 200 phones (the sessions table's messages-per-minute column): counts and times, never content",
  responses: { 200: { description: 'Traffic per phone', schema: trafficPageSchema } },
});

export const getMessageMedia = defineRoute({
  method: 'get', path: '/api/sessions/{id}/messages/{messageId}/media', operationId: 'getMessageMedia', tag: 'messages', auth: 'messages', params: messageParams,
  summary: 'The media of a received message, downloaded from WhatsApp and decrypted on request (not stored)',
  responses: {
    200: { description: "The file, with the message's mimetype as Content-Type", mediaType: '*/*', jsonSchema: { description: 'the file' } },
    502: 'BadGateway',
  },
});
