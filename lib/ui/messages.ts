// The phone page's Messages tab (components/messages): what a live event changes in the cached
// list, and which media kind a chosen file is sent as. Pure, unit-tested (test/unit/ui/messages.test.ts).
import { MEDIA_MIMETYPES, type MediaKind, type MessageStatus } from '../messages/vocabulary';
import type { SessionEngineEvent } from '../sessions/types';

/** A message as GET /api/sessions/:id/messages lists it (lib/api/message-schemas.ts); text and media only with content access. */
export interface MessageItem {
  id: string;
  direction: 'in' | 'out';
  to?: string;
  from?: string;
  kind: string;
  status: MessageStatus;
  code: string | null;
  error: string | null;
  text?: string | null;
  media?: { mimetype: string | null; fileName: string | null; size: number | null } | null;
  createdAt: string;
  sentAt: string | null;
  deliveredAt: string | null;
  readAt: string | null;
}

export interface MessagePage {
  items: MessageItem[];
  nextCursor: string | null;
}

/**
 * The list with a `message.status` event applied to the message it names; null when the list
 * does not hold it (sent by another client since it was read): the caller reads the list again.
 * The stream delivers a phone's statuses in order, so the event's status is the newest.
 */
export function applyMessageStatus(page: MessagePage, e: Extract<SessionEngineEvent, { type: 'message.status' }>): MessagePage | null {
  const i = page.items.findIndex((m) => m.id === e.messageId);
  if (i < 0) return null;
  const m = page.items[i];
  const next: MessageItem = {
    ...m,
    status: e.status,
    code: e.code,
    error: e.status === 'failed' ? m.error : null,
    sentAt: e.status === 'sent' ? e.at : m.sentAt,
    deliveredAt: e.status === 'delivered' ? e.at : m.deliveredAt,
    readAt: e.status === 'read' ? e.at : m.readAt,
  };
  return { ...page, items: page.items.map((x, j) => (j === i ? next : x)) };
}

/** The media kind a file goes as: image, video or audio when WhatsApp takes its type as such, else a document. */
export function mediaKindOf(mimetype: string): MediaKind {
  const type = mimetype.toLowerCase();
  for (const kind of ['image', 'video', 'audio'] as const) {
    const allowed = MEDIA_MIMETYPES[kind];
    if (allowed !== 'any' && allowed.includes(type)) return kind;
  }
  return 'document';
}

/** A chat as a person reads it: +77051234567 for a phone's JID, the JID itself otherwise (groups, LIDs). */
export function peerText(jid: string | undefined): string {
  if (!jid) return '—';
  const [user, server] = jid.split('@');
  return server === 's.whatsapp.net' ? `+${user.split(':')[0]}` : jid;
}
