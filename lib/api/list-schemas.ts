// Query parameters of GET /api/sessions at fleet size: paging (limit with page or cursor),
// sorting and free-text search, on top of the seed's filters (status, organizationId, health).
// Without limit, page or cursor the endpoint keeps the seed's plain array.
import { z } from 'zod';
import { HEALTH_LEVELS, SESSION_STATES } from '../sessions/types';
import { sessionSchema } from './session-schemas';
import { intString } from './contract';

/** Fields the list can be sorted by (server side, in SQL). */
import { SESSION_SORT_FIELDS, type SessionSortField } from './sort-fields';
export { SESSION_SORT_FIELDS, type SessionSortField };
export type SessionSort = { field: SessionSortField; dir: 'asc' | 'desc' };

const SORT_RE = new RegExp(`^(-)?(${SESSION_SORT_FIELDS.join('|')})(?::(asc|desc))?$`);

export const sessionListQuerySchema = z
  .object({
    status: z.enum(SESSION_STATES).optional(),
    organizationId: intString('organizationId', 1).optional(),
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
    limit: intString('limit', 1, 200).optional(),
    page: intString('page', 1, 1_000_000).optional(),
    cursor: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'cursor must be a value from nextCursor').optional().describe('a value from nextCursor (opaque; any other value: 400)'),
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

/** One count per key, every key present (an object with named properties, not a map). */
const countsBy = <K extends string>(keys: readonly K[]) =>
  z.object(Object.fromEntries(keys.map((k) => [k, z.number().int()])) as Record<K, z.ZodNumber>);

export const sessionSummarySchema = z.object({
  total: z.number().int(),
  byStatus: countsBy(SESSION_STATES).describe('phones per session state (every state listed)'),
  byHealth: countsBy(HEALTH_LEVELS).describe('phones per health level (every level listed)'),
});
export type SessionSummary = z.infer<typeof sessionSummarySchema>;

export const summaryQuerySchema = z.object({
  organizationId: intString('organizationId', 1).optional(),
  q: z.string().trim().max(100, 'q is at most 100 characters').optional(),
});
