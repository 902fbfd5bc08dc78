// Use cases behind /api/sessions/{id}/messages: accept a message (stored before the answer, then
// handed to the phone's owner), read one, list them. Content only for callers allowed to see it.
import { BufferJSON, downloadMediaMessage, generateMessageIDV2, type proto } from '@whiskeysockets/baileys';
import { ConflictError, InvalidInputError, NotFoundError, UpstreamError } from '../errors';
import { getConfig } from '../config';
import { simulatorMediaSource } from './media-host';
import { getDb } from '../db/client';
import { providerOfDb, rawQuery } from '../db/raw';
import { stamp } from '../db/sql';
import { MessageSql } from './sql';
import { phoneRepository } from '../db/phone-repository';
import { getSessionManager } from '../sessions/manager';
import { bodyHash, idempotencyOutcome } from './policy';
import { MEDIA_MIMETYPES, type MediaKind } from './vocabulary';
import { readTraffic, type Traffic } from './traffic';

type Row = {
  messageId: string;
  direction: string;
  chatJid: string;
  senderJid: string | null;
  kind: string;
  body: string | null;
  media: string | null;
  status: string;
  failureCode: string | null;
  failureText: string | null;
  createdAt: Date;
  ackedAt: Date | null;
  deliveredAt: Date | null;
  readAt: Date | null;
};

/** A message as the API shows it; `text` and `media` only with content access. */
export function messageDto(r: Row, content: boolean) {
  const media = r.media ? (JSON.parse(r.media) as { mimetype?: string | null; fileName?: string | null; size?: number | null }) : null;
  return {
    id: r.messageId,
    direction: r.direction,
    ...(r.direction === 'out' ? { to: r.chatJid } : { from: r.chatJid, sender: r.senderJid }),
    kind: r.kind,
    status: r.status,
    code: r.failureCode,
    error: r.failureText,
    ...(content ? { text: r.body, media: media && r.kind !== 'reaction' ? { mimetype: media.mimetype ?? null, fileName: media.fileName ?? null, size: media.size ?? null } : null } : {}),
    createdAt: r.createdAt.toISOString(),
    sentAt: r.ackedAt?.toISOString() ?? null,
    deliveredAt: r.deliveredAt?.toISOString() ?? null,
    readAt: r.readAt?.toISOString() ?? null,
  };
}

export interface SubmitInput {
  phoneId: number;
  to: string;
  text?: string;
  media?: { kind: MediaKind; mimetype: string; data: string; caption?: string; fileName?: string };
  idempotencyKey: string | null;
  /** the request body as sent (for the idempotency hash) */
  raw: unknown;
}

export class MediaRefusedError extends InvalidInputError {}

/** Checks the media against the kind's mimetypes and the size limit: 'unsupported' | 'too_large' | null. */
export function mediaProblem(media: NonNullable<SubmitInput['media']>, maxBytes: number): 'unsupported' | 'too_large' | null {
  const allowed = MEDIA_MIMETYPES[media.kind];
  if (allowed !== 'any' && !allowed.includes(media.mimetype.toLowerCase())) return 'unsupported';
  if (Math.floor((media.data.length * 3) / 4) > maxBytes) return 'too_large';
  return null;
}

/** Stores the message (queued) and tells the phone's owner; `created` false for an idempotent replay. */
export async function submitMessage(input: SubmitInput, content: boolean) {
  const db = getDb();
  const phone = await phoneRepository(db).byId(input.phoneId);
  if (!phone) throw new NotFoundError('Phone not found');
  const hash = bodyHash(input.raw);
  if (input.idempotencyKey) {
    const stored = await db.message.findUnique({ where: { phoneId_idempotencyKey: { phoneId: phone.id, idempotencyKey: input.idempotencyKey } } });
    const outcome = idempotencyOutcome(stored, hash);
    if (outcome === 'replay') return { created: false, message: messageDto(stored!, content) };
    if (outcome === 'conflict') throw new ConflictError('This Idempotency-Key was used for another message', undefined, 'idempotency_conflict');
  }
  const state = getSessionManager().snapshot(phone.id)?.state ?? phone.status;
  if (state === 'closed' || state === 'logged_out' || state === 'idle') {
    throw new ConflictError(`The phone is not connected (${state === 'logged_out' ? 'logged out' : state}): start it first`, { state }, 'not_connected');
  }
  const messageId = generateMessageIDV2(phone.phoneJid);
  const row: Row = {
    messageId,
    direction: 'out',
    chatJid: input.to,
    senderJid: phone.phoneJid,
    kind: input.media ? input.media.kind : 'text',
    body: input.media ? (input.media.caption ?? null) : input.text!,
    media: input.media ? JSON.stringify({ mimetype: input.media.mimetype, fileName: input.media.fileName ?? null, size: Math.floor((input.media.data.length * 3) / 4) }) : null,
    status: 'queued',
    failureCode: null,
    failureText: null,
    createdAt: stamp(),
    ackedAt: null,
    deliveredAt: null,
    readAt: null,
  };
  const inserted = await rawQuery(
    db,
    new MessageSql(providerOfDb(db)).submit({ ...row, phoneId: phone.id, senderJid: phone.phoneJid, mediaData: input.media?.data ?? null, idempotencyKey: input.idempotencyKey, bodyHash: hash, at: row.createdAt }),
  );
  if (!inserted.length) {
    // Two requests with one key at once: the other stored it first.
    if (input.idempotencyKey) return submitMessage(input, content);
    throw new Error('message id already stored');
  }
  getSessionManager().messageQueued(phone.id);
  return { created: true, message: messageDto(row, content) };
}

export async function getMessage(phoneId: number, messageId: string, content: boolean) {
  const row = await getDb().message.findUnique({ where: { phoneId_messageId: { phoneId, messageId } } });
  if (!row) throw new NotFoundError('Message not found');
  return messageDto(row, content);
}

export async function listMessages(phoneId: number, q: { direction?: string; status?: string; cursor?: number; limit: number }, content: boolean) {
  const db = getDb();
  if (!(await phoneRepository(db).exists(phoneId))) throw new NotFoundError('Phone not found');
  const rows = await db.message.findMany({
    where: { phoneId, ...(q.direction ? { direction: q.direction } : {}), ...(q.status ? { status: q.status } : {}), ...(q.cursor ? { seq: { lt: q.cursor } } : {}) },
    orderBy: { seq: 'desc' },
    take: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  return { items: page.map((r) => messageDto(r, content)), nextCursor: rows.length > q.limit ? String(page[page.length - 1].seq) : null };
}

/** The traffic of the given phones that exist (phone id → figures). */
export async function trafficOfPhones(ids: number[]): Promise<{ phones: Record<string, Traffic> }> {
  const db = getDb();
  const known = await db.organizationPhone.findMany({ where: { id: { in: ids } }, select: { id: true } });
  const traffic = await readTraffic(db, known.map((p) => p.id));
  return { phones: Object.fromEntries([...traffic].map(([id, t]) => [String(id), t])) };
}

let mediaAgent: (() => Promise<import('node:https').Agent | null>) | null = null;

/**
 * Downloads a received message's media from WhatsApp's media host (the simulator's in demo mode)
 * and decrypts it; nothing is stored. 404 without a message, media, or once retention removed it.
 */
export async function messageMedia(phoneId: number, messageId: string): Promise<{ data: Buffer; mimetype: string }> {
  const row = await getDb().message.findUnique({ where: { phoneId_messageId: { phoneId, messageId } }, select: { direction: true, kind: true, media: true } });
  if (!row) throw new NotFoundError('Message not found');
  const ref = row.media ? (JSON.parse(row.media) as { mimetype?: string | null; message?: string }) : null;
  if (row.direction !== 'in' || !ref?.message) throw new NotFoundError('This message has no media to download');
  mediaAgent ??= simulatorMediaSource(getConfig().SIMULATOR_URL);
  const agent = await mediaAgent();
  const message = JSON.parse(ref.message, BufferJSON.reviver) as proto.IMessage;
  try {
    const data = (await downloadMediaMessage({ key: { id: messageId, remoteJid: null, fromMe: false }, message }, 'buffer', agent ? { options: { httpsAgent: agent } } : {})) as Buffer;
    return { data, mimetype: ref.mimetype ?? 'application/octet-stream' };
  } catch (err) {
    throw new UpstreamError(`The media could not be downloaded from WhatsApp: ${(err as Error).message}`);
  }
}
