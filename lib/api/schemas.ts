// Request and response shapes of the routes outside the sessions API (organizations, tokens,
// audit, health, demo faults): one definition, used by the route handlers and the OpenAPI document.
import { z } from 'zod';
import { TOKEN_SCOPES } from '../auth/roles';
import { pageQuerySchema } from './session-schemas';

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
  name: z.string().trim().min(1, 'name is required').max(100),
  scopes: z.array(z.enum(TOKEN_SCOPES)).min(1).max(2).default(['admin']),
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
});
export const auditPageSchema = z.object({ items: z.array(auditEntrySchema), nextCursor: z.number().int().nullable() });
export const auditQuerySchema = pageQuerySchema.extend({
  targetType: z.string().max(50).optional(),
  targetId: z.string().max(50).optional(),
});

export const healthSchema = z.object({ status: z.enum(['ok', 'error']), db: z.enum(['ok', 'unreachable']) });

export const FAULT_TYPES = ['message', 'bad-mac', 'bad-decrypt', 'no-session', 'drop', 'restart-required', 'conflict', 'logged-out', 'silence'] as const;
export const demoFaultBodySchema = z.object({
  phoneId: z.number().int().positive().max(2_147_483_647),
  type: z.enum(FAULT_TYPES),
  count: z.number().int().min(1).max(20).default(1),
  via: z.enum(['pkmsg', 'msg']).optional(),
});
export const demoFaultResponseSchema = z.object({ delivered: z.number().int() });
