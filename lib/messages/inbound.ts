// What a received WhatsApp message is, in the console's terms: kind, text or caption, and the
// reference it takes to download its media later. Pure (unit-tested).
import { BufferJSON, type WAMessage } from '@whiskeysockets/baileys';
import type { MediaKind, MessageKind } from './vocabulary';

export interface InboundContent {
  kind: MessageKind;
  body: string | null;
  /** JSON: { mimetype, fileName?, size?, reactionTo?, message? (BufferJSON of the media message, to download it) } */
  media: string | null;
}

const MEDIA_FIELDS: Record<MediaKind, 'imageMessage' | 'documentMessage' | 'audioMessage' | 'videoMessage'> = {
  image: 'imageMessage',
  document: 'documentMessage',
  audio: 'audioMessage',
  video: 'videoMessage',
};

const isLid = (jid: string | null | undefined): jid is string => !!jid && jid.endsWith('@lid');
const bare = (jid: string) => jid.replace(/:\d+@/, '@');

/**
 * Who a received message is from, by phone number and LID where the message says (Baileys 7:
 * `remoteJidAlt` / `participantAlt`; 6.7: the stanza's `sender_pn` / `participant_pn` in the key).
 * `chat` is the conversation (a group, or the sender of a 1:1 message), `sender` the author.
 */
export function inboundAddresses(key: WAMessage['key']): { chat: string; sender: string; senderPn: string | null; senderLid: string | null } {
  const k = key as WAMessage['key'] & { remoteJidAlt?: string | null; participantAlt?: string | null; senderPn?: string | null; participantPn?: string | null; senderLid?: string | null; participantLid?: string | null };
  const chat = k.remoteJid ?? '';
  const sender = k.participant || chat;
  const alts = (k.participant ? [k.participantAlt, k.participantPn, k.participantLid] : [k.remoteJidAlt, k.senderPn, k.senderLid]).filter((j): j is string => !!j);
  const pn = !isLid(sender) ? sender : alts.find((j) => !isLid(j));
  const lid = isLid(sender) ? sender : alts.find(isLid);
  return { chat, sender, senderPn: pn ? bare(pn) : null, senderLid: lid ? bare(lid) : null };
}

/** The content of a received message, or null for what is not a message to store (protocol, stubs, own). */
export function inboundContent(msg: WAMessage): InboundContent | null {
  if (msg.key.fromMe || !msg.message || !msg.key.id || !msg.key.remoteJid) return null;
  let m = msg.message;
  // Disappearing and view-once messages wrap the content.
  m = m.ephemeralMessage?.message ?? m.viewOnceMessage?.message ?? m.viewOnceMessageV2?.message ?? m;
  const text = m.conversation ?? m.extendedTextMessage?.text;
  if (typeof text === 'string') return { kind: 'text', body: text, media: null };
  for (const [kind, field] of Object.entries(MEDIA_FIELDS) as [MediaKind, (typeof MEDIA_FIELDS)[MediaKind]][]) {
    const media = m[field] as { caption?: string | null; mimetype?: string | null; fileName?: string | null; fileLength?: unknown } | null | undefined;
    if (!media) continue;
    const ref = {
      mimetype: media.mimetype ?? null,
      fileName: media.fileName ?? null,
      size: media.fileLength === undefined || media.fileLength === null ? null : Number(media.fileLength),
      message: JSON.stringify({ [field]: media }, BufferJSON.replacer),
    };
    return { kind, body: media.caption ?? null, media: JSON.stringify(ref) };
  }
  if (m.reactionMessage) {
    return { kind: 'reaction', body: m.reactionMessage.text ?? '', media: JSON.stringify({ reactionTo: m.reactionMessage.key?.id ?? null }) };
  }
  return null;
}
