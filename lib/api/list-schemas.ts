// Query parameters of GET /api/sessions at fleet size: paging (limit with page or cursor),
// sorting and free-text search, on top of the seed's filters (status, organizationId, health).
// Without limit, page or cursor the endpoint keeps the seed's plain array.
import { z } from 'zod';
import { HEALTH_LEVELS, SESSION_STATES } from '../sessions/types';
import { sessionSchema } from './session-schemas';

/** Fields the list can be sorted by (server side, in SQL). */
export const SESSION_SORT_FIELDS = ['id', 'phone', 'label', 'organization', 'status', 'lastConnectedAt', 'createdAt', 'uptime'] as const;
export type SessionSortField = (typeof SESSION_SORT_FIELDS)[number];
export type SessionSort = { field: SessionSortField; dir: 'asc' | 'desc' };

const positiveInt = (name: string, max = 2_147_483_647) =>
  z
    .string()
    .regex(/^\d{1,10}$/, `${name} must be a positive integer`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= max, `${name} must be between 1 and ${max}`);

const SORT_RE = new RegExp(`^(-)?(${SESSION_SORT_FIELDS.join('|')})(?::(asc|desc))?$`);

export const sessionListQuerySchema = z
  .object({
    status: z.enum(SESSION_STATES).optional(),
    organizationId: positiveInt('organizationId').optional(),
    health: z.enum(HEALTH_LEVELS).optional(),
    q: z.string().trim().max(100, 'q is at most 100 characters').optional(),
    sort: z
      .string()
      .regex(SORT_RE, `sort must be one of ${SESSION_SORT_FIELDS.join(', ')}, optionally prefixed by - or suffixed by :asc or :desc`)
      .transform((s): SessionSort => {
        const m = SORT_RE.exec(s)!;
        return { field: m[2] as SessionSortField, dir: m[3] === 'desc' || (m[1] === '-' && m[3] !== 'asc') ? 'desc' : 'asc' };
      })
      .optional(),
    limit: positiveInt('limit', 200).optional(),
    page: positiveInt('page', 1_000_000).optional(),
    cursor: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'cursor must be a value from nextCursor').optional(),
  })
  .refine((q) => !(q.page !== undefined && q.cursor !== undefined), { message: 'use either page or cursor, not both', path: ['cursor'] });
export type SessionListQuery = z.infer<typeof sessionListQuerySchema>;

/** True when the request asks for a page (then the answer is an object with the total). */
export const isPagedQuery = (q: SessionListQuery) => q.limit !== undefined || q.page !== undefined || q.cursor !== undefined;

export const sessionPageSchema = z.object({
  items: z.array(sessionSchema),
  total: z.number().int().describe('phones matching the filters, over all pages'),
  limit: z.number().int(),
  page: z.number().int().describe('1-based page number of these items'),
  pageCount: z.number().int(),
  nextCursor: z.string().nullable().describe('pass as cursor for the next page; null on the last page'),
});
export type SessionPage = z.infer<typeof sessionPageSchema>;

export const sessionSummarySchema = z.object({
  total: z.number().int(),
  byStatus: z.record(z.enum(SESSION_STATES), z.number().int()),
  byHealth: z.record(z.enum(HEALTH_LEVELS), z.number().int()),
});
export type SessionSummary = z.infer<typeof sessionSummarySchema>;

export const summaryQuerySchema = z.object({
  organizationId: positiveInt('organizationId').optional(),
  q: z.string().trim().max(100, 'q is at most 100 characters').optional(),
});
