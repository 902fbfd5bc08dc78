// Request and response shapes of the sessions API: used by the route handlers for validation,
// by the OpenAPI document, and by the UI for types.
import { CLOSE_REASON_CODES, type CloseReasonCode, type LastClose } from '../sessions/reasons';
import { z } from 'zod';
import { HEALTH_LEVELS, SESSION_STATES } from '../sessions/types';
import { ENGINE_NAMES } from '../sessions/engines/types';
import { accountSignalsSchema } from '../sessions/account-signals';
import { HEALTH_REASONS } from '../health/events';
import { FAILURE_CODES } from '../messages/vocabulary';
import { proxyUrlSchema } from '../sessions/proxy-url';
import { documentedAs, HOST_PATTERN, INT32_MAX, intString } from './contract';

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
  /** why health is not `healthy` (null when it is): unresponsive (liveness probe), decrypt-errors, not-running, banned / restricted (WhatsApp closed it so) */
  healthReason: z.enum(HEALTH_REASONS).nullable(),
  /** what WhatsApp last told the account about its standing (Baileys 7): the reach-out time-lock and new-chat message capping; stored, so kept across restarts and nodes; a lock whose end has passed, or a capping whose cycle has ended, is null (docs/health.md) */
  accountSignals: accountSignalsSchema,
  /** uptime over the last 7 days (0..1) as of the last health check; null before the first */
  uptime7d: z.number().nullable(),
  /** uptime7d is below UPTIME_OBJECTIVE (false when not measured yet) */
  belowObjective: z.boolean(),
  /** the phone's proxy with its password masked (`http://user:****@host:port`), null when direct */
  proxyUrl: z.string().nullable(),
  /** host:port of the proxy, never credentials */
  proxyHost: z.string().nullable(),
  /** the WhatsApp client the phone runs: baileys-6 (Baileys 6.7.24) or baileys-7 (7.0.0-rc14); docs/engines.md */
  engine: z.enum(ENGINE_NAMES),
  /** the phone's own LID (…@lid) as WhatsApp announced it at login; null before the first */
  lid: z.string().nullable(),
  /** the WhatsApp Web version the phone's socket announced (a.b.c: WA_VERSION pinned, fetched from WA_VERSION_URL, or the engine's bundled one); null when this node runs no socket for it; docs/engines.md */
  waVersion: z.string().nullable(),
  /** the fleet node that runs the phone (NODE_ID; docs/fleet.md), also while `owner_lost`; null when no node runs it (closed, idle) */
  node: z.string().nullable(),
  /** while `status` is `owner_lost`: when the silent owner's lease ends and the phone moves to a live node; else null */
  ownerLeaseEndsAt: z.string().nullable(),
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

/** A phone's message traffic (lib/messages/traffic.ts); counts only, never content. */
export const trafficSchema = z.object({
  inPerMinute: z.number().int().describe('messages received in the last minute'),
  outPerMinute: z.number().int().describe('messages WhatsApp acknowledged (sent) in the last minute'),
  failuresByCode: z.partialRecord(z.enum(FAILURE_CODES), z.number().int()).describe('outbound messages that failed in the last hour, by code (codes that occurred)'),
  ackLatencyMs: z
    .object({ p50: z.number(), p99: z.number(), count: z.number().int() })
    .nullable()
    .describe("submit → WhatsApp's server ack over the messages acked in the last hour (null without any)"),
  lastReceivedAt: z.string().nullable().describe('when the phone last received a message'),
});

export const statsResponseSchema = errorStatsSchema.extend({ phoneId: z.number().int(), isConnected: z.boolean(), traffic: trafficSchema });

export const listQuerySchema = z.object({
  status: z.enum(SESSION_STATES).optional(),
  organizationId: intString('organizationId', 1).optional(),
  health: z.enum(HEALTH_LEVELS).optional(),
});

export const closeBodySchema = z.object({
  reason: z.string().trim().max(500, 'reason is at most 500 characters').optional(),
});

/** A phone number in international format, digits only after normalisation (7–15 digits, E.164). */
export const phoneNumberSchema = documentedAs(
  z
    .string()
    .trim()
    .transform((s) => s.replace(/@s\.whatsapp\.net$/, '').replace(/[\s()+-]/g, ''))
    .refine((s) => /^[1-9]\d{6,14}$/.test(s), 'phone must be an international number with 7 to 15 digits, e.g. 77051234567'),
  {
    type: 'string',
    pattern: '^\\+?[1-9][0-9]{6,14}$',
    description: 'international number, 7 to 15 digits (e.g. 77051234567); spaces, dashes, parentheses and an @s.whatsapp.net suffix are also accepted and removed',
  },
);

/** A proxy URL (http://, https://, socks5://, socks5h://, optional user:password@), or null / "" for none. */
export const proxyUrlInputSchema = documentedAs(
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? null : v), proxyUrlSchema.nullable()),
  {
    anyOf: [
      {
        type: 'string',
        maxLength: 2048,
        pattern: `^(|(http|https|socks5|socks5h)://([A-Za-z0-9._~-]+(:[A-Za-z0-9._~-]*)?@)?${HOST_PATTERN}/?)$`,
      },
      { type: 'null' },
    ],
    description: 'scheme://[user:password@]host[:port] with scheme http, https, socks5 or socks5h; null or "" for a direct connection',
  },
);

export const addPhoneBodySchema = z
  .object({
    organizationId: z.number().int().positive().max(INT32_MAX).optional(),
    organizationName: z.string().trim().min(1).max(100).meta({ pattern: '\\S' }).optional(),
    phone: phoneNumberSchema,
    label: z.string().trim().max(100).optional(),
    start: z.boolean().default(true),
    /** omitted: one from PROXY_POOL when it is set; null or "": direct */
    proxyUrl: proxyUrlInputSchema.optional(),
    /** omitted: DEFAULT_ENGINE */
    engine: z.enum(ENGINE_NAMES).optional(),
  })
  .refine((b) => b.organizationId !== undefined || b.organizationName !== undefined, {
    message: 'organizationId or organizationName is required',
    path: ['organizationId'],
  })
  .meta({ anyOf: ['organizationId', 'organizationName'].map((name) => ({ properties: { [name]: true }, required: [name] })) });

/** PATCH /api/sessions/:id: the phone's settings; each field optional, at least one. */
export const updateSessionBodySchema = z
  .strictObject({
    label: documentedAs(
      z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? null : v), z.string().trim().max(100, 'label is at most 100 characters').nullable()),
      { anyOf: [{ type: 'string', maxLength: 100 }, { type: 'null' }], description: 'null or "": no label' },
    ).optional(),
    /** null or "": no proxy (direct). Changing it restarts a running socket. */
    proxyUrl: proxyUrlInputSchema.optional(),
    /** the engine (docs/engines.md). Changing it restarts a running socket on the new engine with the same credentials. */
    engine: z.enum(ENGINE_NAMES).optional(),
  })
  .refine((b) => b.label !== undefined || b.proxyUrl !== undefined || b.engine !== undefined, { message: 'nothing to change: send label, proxyUrl and/or engine' })
  .meta({ minProperties: 1 });

export const pageQuerySchema = z.object({
  limit: intString('limit', 1, 200).default(50),
  before: intString('before', 0).optional().describe("the previous page's nextCursor"),
});

export const successSchema = z.object({ success: z.literal(true), message: z.string() });
export const qrResponseSchema = z.object({ qr: z.string(), svg: z.string() });


export const pairingCodeResponseSchema = z.object({
  pairingCode: z.string().describe('8 characters as XXXX-XXXX: type it on the phone under Linked devices → Link with phone number'),
  phoneJid: z.string(),
});