// Request and response shapes of the routes outside the sessions API (organizations, tokens,
// audit, health, demo faults): one definition, used by the route handlers and the OpenAPI document.
import { z } from 'zod';
import { ROLES, TOKEN_SCOPES } from '../auth/roles';
import { pageQuerySchema } from './session-schemas';
import { documentedAs, HOST_PATTERN, INT32_MAX, intString } from './contract';
import { isoTime } from './health-schemas';
import { DEMO_FAULT_TYPES } from '../demo-fault-types';

export const organizationSchema = z.object({ id: z.number().int(), name: z.string() });

export const tokenSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  prefix: z.string().describe('the first characters of the token, to recognise it'),
  scopes: z.array(z.enum(TOKEN_SCOPES)),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export const createdTokenSchema = tokenSchema.extend({ token: z.string().describe('the token itself: shown once, only its hash is stored') });
export const revokedTokenSchema = z.object({ success: z.literal(true), message: z.string(), token: tokenSchema });

export const createTokenBodySchema = z.object({
  name: z.string().trim().min(1, 'name is required').max(100).meta({ pattern: '\\S' }),
  scopes: z.array(z.enum(TOKEN_SCOPES)).min(1).max(TOKEN_SCOPES.length).default(['admin']),
});

export const auditEntrySchema = z.object({
  id: z.number().int(),
  actorType: z.string(),
  actorName: z.string(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  reason: z.string().nullable(),
  result: z.string(),
  detail: z.unknown(),
  createdAt: z.string(),
  targetLabel: z.string().nullable().describe("the target in words: a phone's number (+77051234567); null when unknown (a deleted phone, not a phone)"),
});
export const auditPageSchema = z.object({ items: z.array(auditEntrySchema), nextCursor: z.number().int().nullable() });
/** The audit log's filters (issue 27.5), shared by the page of entries and the CSV export. */
const auditFilterShape = {
  targetType: z.string().max(50).optional(),
  targetId: z.string().max(50).optional(),
  actor: z.string().trim().min(1).max(200).optional().describe("part of the actor's name (a user's email, a token's name), any case"),
  action: z.string().regex(/^[a-z_]{1,30}(\.[a-z_]{1,30})?$/, 'action must be an action name such as session.start').optional().describe('an action name (session.start), or its first part (session) for all of them'),
  phone: z.string().regex(/^\+?\d{1,15}$/, 'phone must be digits, optionally after +').optional().describe("part of a phone's number: entries about the phones whose number contains it"),
  from: isoTime.optional().describe('entries at or after this time'),
  to: isoTime.optional().describe('entries before this time'),
};
const fromBeforeTo = (q: { from?: string; to?: string }) => !(q.from && q.to && Date.parse(q.from) > Date.parse(q.to));
const fromBeforeToIssue = { message: 'from must not be after to', path: ['from'] };
export const auditQuerySchema = pageQuerySchema.extend(auditFilterShape).refine(fromBeforeTo, fromBeforeToIssue);
export const auditExportQuerySchema = z.object(auditFilterShape).refine(fromBeforeTo, fromBeforeToIssue);
export type AuditFilters = z.infer<typeof auditExportQuerySchema>;

export const healthSchema = z.object({ status: z.enum(['ok', 'error']), db: z.enum(['ok', 'unreachable']) });

export const demoFaultBodySchema = z.object({
  phoneId: z.number().int().positive().max(2_147_483_647),
  type: z.enum(DEMO_FAULT_TYPES),
  count: z.number().int().min(1).max(20).default(1),
  via: z.enum(['pkmsg', 'msg']).optional(),
});
export const demoFaultResponseSchema = z.object({ delivered: z.number().int() });
export const demoPairResponseSchema = z.object({ deviceJid: z.string().describe('the linked device the simulated phone made, e.g. 77051234567:1@s.whatsapp.net') });

// Webhook deliveries (the outbox) and per-organization endpoints.
export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export const webhookDeliverySchema = z.object({
  id: z.number().int(),
  messageId: z.string().describe('the webhook-id header: the same on every attempt'),
  event: z.string(),
  url: z.string().describe('the endpoint, without query string or credentials'),
  organizationId: z.number().int().nullable().describe('null: ERROR_WEBHOOK_URL'),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  nextAttemptAt: z.string().nullable().describe('when a pending delivery is tried next'),
  lastError: z.string().nullable(),
  lastStatusCode: z.number().int().nullable(),
  deliveredAt: z.string().nullable(),
  createdAt: z.string(),
  payload: z.unknown().describe('the JSON body sent'),
  phone: z.string().nullable().describe("the phone the delivery is about, as +number (from the payload's phoneJid); null for none (a test or an alert)"),
  organizationName: z.string().nullable().describe("the receiving organization's name; null: ERROR_WEBHOOK_URL"),
});
export const webhookDeliveryPageSchema = z.object({ items: z.array(webhookDeliverySchema), nextCursor: z.number().int().nullable() });
export const deliveriesQuerySchema = pageQuerySchema.extend({
  status: z.enum(DELIVERY_STATUSES).optional(),
  organizationId: intString('organizationId', 1).optional(),
});
export const testWebhookBodySchema = z.object({
  organizationId: z.number().int().positive().max(INT32_MAX).nullable().describe("whose endpoint receives the test: an organization's, or null for ERROR_WEBHOOK_URL"),
});
export const organizationWebhookSchema = z.object({
  organizationId: z.number().int(),
  url: z.string().nullable(),
  hasSecret: z.boolean().describe('the secret itself is write-only'),
});
export const organizationWebhookBodySchema = z.object({
  url: documentedAs(z.url({ protocol: /^https?$/, error: 'url must be an http(s) URL' }).max(2000), {
    type: 'string',
    format: 'uri',
    pattern: `^https?://${HOST_PATTERN}(/[A-Za-z0-9._~/-]*)?$`,
    maxLength: 2000,
    description: 'an http(s) URL; null clears the endpoint and its secret',
  }).nullable(),
  secret: z.string().min(16, 'secret must be at least 16 characters').max(500).nullable().optional().describe('omit to keep the current secret, null to remove it'),
});

// Console users (the Users page): the password is never returned, except once on invitation.
export const userSchema = z.object({
  id: z.number().int(),
  email: z.string(),
  name: z.string().nullable(),
  role: z.enum(ROLES),
  createdAt: z.string(),
  lastLoginAt: z.string().nullable(),
});
export const inviteUserBodySchema = z.object({
  email: z.email({ error: 'email must be an email address' }).max(200),
  role: z.enum(ROLES, { error: 'role must be admin or viewer' }),
  name: z.string().trim().min(1).max(100).optional(),
});
export const invitedUserSchema = z.object({
  user: userSchema.omit({ createdAt: true, lastLoginAt: true }),
  password: z.string().describe('the one-time password to hand to the user: shown once, only its hash is stored'),
});
export const userRoleBodySchema = z.object({ role: z.enum(ROLES, { error: 'role must be admin or viewer' }) });
