// Request and response shapes of the sessions API: used by the route handlers for validation,
// by the OpenAPI document, and by the UI for types.
import { CLOSE_REASON_CODES, type CloseReasonCode, type LastClose } from '../sessions/reasons';
import { z } from 'zod';
import { HEALTH_LEVELS, SESSION_STATES } from '../sessions/types';
import { proxyUrlSchema } from '../sessions/proxy-url';

export const errorStatsSchema = z.object({
  badMacErrors: z.number().int(),
  badDecryptErrors: z.number().int(),
  maxBadMacErrors: z.number().int(),
  maxBadDecryptErrors: z.number().int(),
  isHealthy: z.boolean(),
});

export const sessionSchema = z.object({
  id: z.number().int(),
  organizationId: z.number().int(),
  organizationName: z.string(),
  phoneJid: z.string(),
  label: z.string().nullable(),
  status: z.enum(SESSION_STATES),
  lastConnectedAt: z.string().nullable(),
  /** plain-English rendering of `lastClose` (kept for compatibility) */
  lastCloseReason: z.string().nullable(),
  /** why the phone last closed: a stable code (lib/sessions/reasons.ts), its params, and when */
  lastClose: z
    .object({ code: z.enum(CLOSE_REASON_CODES as [CloseReasonCode, ...CloseReasonCode[]]), params: z.record(z.string(), z.unknown()), at: z.string() })
    .nullable() as unknown as z.ZodType<LastClose | null>,
  stats: errorStatsSchema,
  isActive: z.boolean(),
  health: z.enum(HEALTH_LEVELS),
  /** the phone's proxy with its password masked (`http://user:****@host:port`), null when direct */
  proxyUrl: z.string().nullable(),
  /** host:port of the proxy, never credentials */
  proxyHost: z.string().nullable(),
});
export type SessionDto = z.infer<typeof sessionSchema>;

export const sessionEventSchema = z.object({
  id: z.number().int(),
  type: z.string(),
  sender: z.string().nullable(),
  count: z.number().int().nullable(),
  message: z.string().nullable(),
  detail: z.unknown(),
  createdAt: z.string(),
});
export type SessionEventDto = z.infer<typeof sessionEventSchema>;

export const statsResponseSchema = errorStatsSchema.extend({ phoneId: z.number().int(), isConnected: z.boolean() });

/** A database id in a query string: digits, 1 to 2147483647 (PostgreSQL's integer; larger ones answered 500 before). */
export const idQueryParam = (name: string) =>
  z
    .string()
    .regex(/^\d{1,10}$/, `${name} must be a positive integer`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= 2_147_483_647, `${name} must be between 1 and 2147483647`);

export const listQuerySchema = z.object({
  status: z.enum(SESSION_STATES).optional(),
  organizationId: idQueryParam('organizationId').optional(),
  health: z.enum(HEALTH_LEVELS).optional(),
});

export const closeBodySchema = z.object({
  reason: z.string().trim().max(500, 'reason is at most 500 characters').optional(),
});

/** A phone number in international format, digits only after normalisation (7–15 digits, E.164). */
export const phoneNumberSchema = z
  .string()
  .trim()
  .transform((s) => s.replace(/@s\.whatsapp\.net$/, '').replace(/[\s()+-]/g, ''))
  .refine((s) => /^[1-9]\d{6,14}$/.test(s), 'phone must be an international number with 7 to 15 digits, e.g. 77051234567');

/** A proxy URL (http://, https://, socks5://, socks5h://, optional user:password@), or null / "" for none. */
export const proxyUrlInputSchema = z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? null : v), proxyUrlSchema.nullable());

export const addPhoneBodySchema = z
  .object({
    organizationId: z.number().int().positive().optional(),
    organizationName: z.string().trim().min(1).max(100).optional(),
    phone: phoneNumberSchema,
    label: z.string().trim().max(100).optional(),
    start: z.boolean().default(true),
    /** omitted: one from PROXY_POOL when it is set; null or "": direct */
    proxyUrl: proxyUrlInputSchema.optional(),
  })
  .refine((b) => b.organizationId !== undefined || b.organizationName !== undefined, {
    message: 'organizationId or organizationName is required',
    path: ['organizationId'],
  });

/** PATCH /api/sessions/:id: the phone's settings; each field optional, at least one. */
export const updateSessionBodySchema = z
  .strictObject({
    label: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? null : v), z.string().trim().max(100, 'label is at most 100 characters').nullable()).optional(),
    /** null or "": no proxy (direct). Changing it restarts a running socket. */
    proxyUrl: proxyUrlInputSchema.optional(),
  })
  .refine((b) => b.label !== undefined || b.proxyUrl !== undefined, { message: 'nothing to change: send label and/or proxyUrl' });

export const pageQuerySchema = z.object({
  limit: z
    .string()
    .regex(/^\d+$/, 'limit must be a positive integer')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 200, 'limit must be between 1 and 200')
    .default(50),
  before: z
    .string()
    .regex(/^\d{1,10}$/, 'before must be a positive integer')
    .transform(Number)
    .refine((n) => n <= 2_147_483_647, 'before is out of range')
    .optional(),
});

export const successSchema = z.object({ success: z.literal(true), message: z.string() });
export const qrResponseSchema = z.object({ qr: z.string(), svg: z.string() });


export const pairingCodeResponseSchema = z.object({
  pairingCode: z.string().describe('8 characters as XXXX-XXXX: type it on the phone under Linked devices → Link with phone number'),
  phoneJid: z.string(),
});