// Control routes for messaging (README "Messaging"): contacts' inboxes, contacts sending, receipt
// and ack switches, what phones sent, and the media host's CA for the console's demo/test mode.
import type http from 'node:http';
import { z } from 'zod';
import type { SimulatorCore } from './simulator';
import { MEDIA_KINDS } from './media';
import { ADDRESSINGS, SimulatorError } from './types';

export interface RouteTools {
  readJson(req: http.IncomingMessage, maxBytes?: number): Promise<unknown>;
  parse<T>(schema: z.ZodType<T>, value: unknown): T;
  send(res: http.ServerResponse, status: number, body: unknown): void;
}

const delay = z.union([z.number().int().min(0).max(24 * 3600_000), z.literal('never')]);
const receipts = z.object({ delivery: delay.optional(), read: delay.optional() }).strict();
const settingsBody = z.object({ receipts: receipts.optional(), ack: z.boolean().optional() }).strict();
const contactBody = z.object({ notOnWhatsApp: z.boolean().optional(), receipts: receipts.nullable().optional(), addressing: z.enum(ADDRESSINGS).optional() }).strict();
const phoneBody = z.object({ ack: z.boolean().nullable().optional() }).strict();
const sendBody = z
  .object({
    to: z.string().min(1).max(64),
    text: z.string().max(65_536).optional(),
    media: z
      .object({
        kind: z.enum(MEDIA_KINDS),
        mimetype: z.string().min(1).max(200),
        data: z.string().min(1).regex(/^[A-Za-z0-9+/=\s]+$/, 'base64'),
        caption: z.string().max(4096).optional(),
        fileName: z.string().max(255).optional(),
      })
      .strict()
      .optional(),
    reaction: z.object({ id: z.string().min(1).max(128), text: z.string().max(32) }).strict().optional(),
  })
  .strict()
  .refine((b) => [b.text !== undefined, !!b.media, !!b.reaction].filter(Boolean).length === 1, 'give exactly one of text, media, reaction');
const MAX_SEND_BODY = 24 * 1024 * 1024;

/** Handles the messaging routes; false when the request is not one of them. */
export async function messagingRoutes(core: SimulatorCore, req: http.IncomingMessage, res: http.ServerResponse, parts: string[], t: RouteTools): Promise<boolean> {
  const m = core.messaging;
  const method = req.method;
  const [a, b, c, d] = parts;
  if (method === 'GET' && a === 'media' && b === 'ca' && parts.length === 2) {
    const { caPem, host, port, hostnames } = m.media.info();
    t.send(res, 200, { caPem, host, port, hostnames });
    return true;
  }
  if (a === 'settings' && b === 'messaging' && parts.length === 2) {
    if (method === 'GET') t.send(res, 200, m.configure({}));
    else if (method === 'PUT') t.send(res, 200, m.configure(t.parse(settingsBody, await t.readJson(req))));
    else return false;
    return true;
  }
  if (a === 'contacts' && parts.length === 1 && method === 'GET') {
    t.send(res, 200, m.contactList());
    return true;
  }
  if (a === 'contacts' && parts.length >= 2) {
    if (parts.length === 2 && method === 'PUT') {
      t.send(res, 200, m.configureContact(b, t.parse(contactBody, await t.readJson(req))));
      return true;
    }
    if (parts.length === 3 && c === 'inbox' && method === 'GET') {
      t.send(res, 200, m.inbox(b));
      return true;
    }
    if (parts.length === 5 && c === 'inbox' && parts[4] === 'media' && method === 'GET') {
      const { data, mimetype } = m.inboxMedia(b, d);
      res.writeHead(200, { 'content-type': mimetype, 'content-length': String(data.length) });
      res.end(data);
      return true;
    }
    if (parts.length === 3 && c === 'reset-sessions' && method === 'POST') {
      await m.resetSessions(b);
      t.send(res, 200, { ok: true });
      return true;
    }
    if (parts.length === 3 && c === 'sent' && method === 'GET') {
      t.send(res, 200, m.contactSent(b));
      return true;
    }
    if (parts.length === 3 && c === 'send' && method === 'POST') {
      const body = t.parse(sendBody, await t.readJson(req, MAX_SEND_BODY));
      t.send(res, 200, await m.sendFromContact(b, body));
      return true;
    }
  }
  if (a === 'phones' && parts.length === 3 && c === 'sent' && method === 'GET') {
    t.send(res, 200, m.phoneSent(b));
    return true;
  }
  if (a === 'phones' && parts.length === 3 && c === 'messaging' && method === 'PUT') {
    t.send(res, 200, m.configurePhone(b, t.parse(phoneBody, await t.readJson(req))));
    return true;
  }
  if (a === 'contacts' || (a === 'media' && b === 'ca')) throw new SimulatorError(404, `no route ${method} /${parts.join('/')}`);
  return false;
}
