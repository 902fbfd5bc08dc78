// Request and response shapes of the messages API (docs/messages.md).
import { z } from 'zod';
import { phoneNumberSchema } from './session-schemas';
import { documentedAs, intString } from './contract';
import { MEDIA_KINDS, MESSAGE_DIRECTIONS, MESSAGE_STATUSES } from '../messages/vocabulary';

/** A recipient: a phone number in any spelling the add-phone form takes, or a JID. */
export const recipientSchema = documentedAs(
  z
    .string()
    .trim()
    .min(1, 'to is required')
    .max(100)
    .transform((v, ctx) => {
      if (/^[0-9]{5,20}(-[0-9]+)?@g\.us$/.test(v) || /^[0-9]{1,20}@lid$/.test(v)) return v;
      const phone = phoneNumberSchema.safeParse(v);
      if (!phone.success) {
        ctx.addIssue({ code: 'custom', message: 'to must be a phone number in international format or a WhatsApp JID' });
        return z.NEVER;
      }
      return `${phone.data}@s.whatsapp.net`;
    }),
  {
    type: 'string',
    pattern: '^(\\+?[1-9][0-9]{6,14}(@s\\.whatsapp\\.net)?|[0-9]{5,20}(-[0-9]+)?@g\\.us|[0-9]{1,20}@lid)$',
    description: 'a phone number in international format (e.g. +77051234567; spaces, dashes and parentheses are also accepted and removed), or a JID: NUMBER@s.whatsapp.net, a group GROUP@g.us or NUMBER@lid',
  },
);

export const mediaInputSchema = z.object({
  kind: z.enum(MEDIA_KINDS),
  mimetype: z.string().trim().min(1).max(100).regex(/^[\w.+-]+\/[\w.+-]+(; ?[\w-]+=[\w.-]+)?$/, 'mimetype must look like type/subtype'),
  data: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'data must be base64').min(1, 'data is required (url is not supported yet)'),
  caption: z.string().max(4096).optional(),
  fileName: z.string().trim().min(1).max(255).optional(),
});

export const sendMessageBodySchema = z.union([
  z.object({ to: recipientSchema, text: z.string().min(1, 'text must not be empty').max(65536) }).strict(),
  z.object({ to: recipientSchema, media: mediaInputSchema }).strict(),
]);
export type SendMessageBody = z.infer<typeof sendMessageBodySchema>;

export const messageParams = z.object({
  id: intString('id', 1),
  messageId: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'messageId is not a message id'),
});

export const messageListQuerySchema = z.object({
  direction: z.enum(MESSAGE_DIRECTIONS).optional(),
  status: z.enum(MESSAGE_STATUSES).optional(),
  cursor: intString('cursor', 1).optional().describe("the previous page's nextCursor"),
  limit: intString('limit', 1, 200).default(50),
});
export type MessageListQuery = z.infer<typeof messageListQuerySchema>;

/** A message as the API answers it; `text` and `media` only for callers with content access. */
export const messageSchema = z.object({
  id: z.string().describe('the WhatsApp message id, chosen and stored before anything is sent'),
  direction: z.enum(MESSAGE_DIRECTIONS),
  to: z.string().optional().describe('outbound: the recipient JID'),
  from: z.string().optional().describe('inbound: the chat JID'),
  sender: z.string().nullable().optional().describe('inbound: who sent it (the chat, or a group member)'),
  kind: z.string(),
  status: z.enum(MESSAGE_STATUSES),
  code: z.string().nullable().describe('why it failed (machine-readable)'),
  error: z.string().nullable().describe('why it failed, in a sentence'),
  text: z.string().nullable().optional().describe('body or caption: admin users and `messages` tokens only'),
  media: z.object({ mimetype: z.string().nullable(), fileName: z.string().nullable(), size: z.number().nullable() }).nullable().optional().describe('admin users and `messages` tokens only'),
  createdAt: z.string(),
  sentAt: z.string().nullable().describe("WhatsApp's server ack"),
  deliveredAt: z.string().nullable(),
  readAt: z.string().nullable(),
});

export const acceptedMessageSchema = z.object({
  id: z.string(),
  status: z.literal('queued'),
  to: z.string(),
  createdAt: z.string(),
});

export const messagePageSchema = z.object({ items: z.array(messageSchema), nextCursor: z.string().nullable() });
