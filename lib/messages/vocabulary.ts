// The messages' vocabulary (docs/messages.md): directions, kinds, statuses, failure codes. One
// definition each; the API schemas, the sender, the UI and the metrics use these.

export const MESSAGE_DIRECTIONS = ['in', 'out'] as const;
export type MessageDirection = (typeof MESSAGE_DIRECTIONS)[number];

export const MEDIA_KINDS = ['image', 'document', 'audio', 'video'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

export const MESSAGE_KINDS = ['text', ...MEDIA_KINDS, 'reaction'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** An outbound message's life: queued → sent (server ack) → delivered → read, or failed. */
export const OUTBOUND_STATUSES = ['queued', 'sent', 'delivered', 'read', 'failed'] as const;
export type OutboundStatus = (typeof OUTBOUND_STATUSES)[number];
/** The statuses WhatsApp reports (server ack, receipts). */
export type ReportedStatus = Exclude<OutboundStatus, 'queued' | 'failed'>;

/** Every stored status; an inbound message is `received`. */
export const MESSAGE_STATUSES = [...OUTBOUND_STATUSES, 'received'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** Why an outbound message failed, machine-readable; FAILURE_TEXT says it in a sentence. */
export const FAILURE_CODES = ['not_on_whatsapp', 'phone_logged_out', 'rate_limited', 'media_too_large', 'timeout', 'expired', 'rejected', 'send_failed'] as const;
export type FailureCode = (typeof FAILURE_CODES)[number];

export const FAILURE_TEXT: Record<FailureCode, string> = {
  not_on_whatsapp: 'The recipient is not on WhatsApp.',
  phone_logged_out: 'The phone was logged out before the message could be sent.',
  rate_limited: 'WhatsApp refused the message because the phone sends too much (rate limit).',
  media_too_large: 'WhatsApp refused the media: it is too large.',
  timeout: 'WhatsApp did not acknowledge the message in time, after every attempt.',
  expired: 'The message waited in the queue longer than MESSAGE_QUEUE_TTL and was not sent.',
  rejected: 'WhatsApp refused the message.',
  send_failed: 'The message could not be sent.',
};

/** Mimetypes accepted per media kind (WhatsApp's own clients send these). Documents take any. */
export const MEDIA_MIMETYPES: Record<MediaKind, readonly string[] | 'any'> = {
  image: ['image/jpeg', 'image/png', 'image/webp'],
  video: ['video/mp4', 'video/3gpp'],
  audio: ['audio/ogg', 'audio/ogg; codecs=opus', 'audio/mpeg', 'audio/mp4', 'audio/aac', 'audio/amr'],
  document: 'any',
};

/** The stream and webhook events of messages. */
export const MESSAGE_EVENTS = ['message.received', 'message.status'] as const;
export type MessageEventType = (typeof MESSAGE_EVENTS)[number];
