// The sessions table's query parameters, shared by the server page (first render) and the client.
// The view (filters, search, sort, page) lives in the page's URL (issue 27.3): `viewFromParams`
// reads it back, whatever a person typed there; `viewQuery` writes it, leaving defaults out.
import { HEALTH_LEVELS, SESSION_STATES, type HealthLevel, type SessionState } from '../sessions/types';
import { SESSION_SORT_FIELDS } from '../api/sort-fields';

export const PAGE_SIZE = 50;
export const DEFAULT_SORT = '-id';

export interface ListFilters {
  q: string;
  status: SessionState | '';
  health: HealthLevel | '';
  organizationId: string;
}

export const NO_FILTERS: ListFilters = { q: '', status: '', health: '', organizationId: '' };

export interface ListView {
  filters: ListFilters;
  sort: string;
  page: number;
}

const SORT_RE = new RegExp(`^-?(${SESSION_SORT_FIELDS.join('|')})$`);
const oneOf = <T extends string>(list: readonly T[], v: string | null | undefined): T | '' => (v && (list as readonly string[]).includes(v) ? (v as T) : '');

/** The view a URL's query names; anything unknown or malformed falls back to the default. */
export function viewFromParams(get: (name: string) => string | null | undefined): ListView {
  const page = Number(get('page'));
  const sort = get('sort') ?? '';
  const org = get('organizationId') ?? '';
  return {
    filters: {
      q: (get('q') ?? '').trim().slice(0, 100),
      status: oneOf(SESSION_STATES, get('status')),
      health: oneOf(HEALTH_LEVELS, get('health')),
      organizationId: /^[1-9]\d{0,9}$/.test(org) ? org : '',
    },
    sort: SORT_RE.test(sort) ? sort : DEFAULT_SORT,
    page: Number.isInteger(page) && page >= 1 && page <= 1_000_000 ? page : 1,
  };
}

/** The page URL's query of a view, defaults left out ('' for the default view). */
export function viewQuery(v: ListView): string {
  const p = new URLSearchParams();
  if (v.filters.q) p.set('q', v.filters.q);
  if (v.filters.status) p.set('status', v.filters.status);
  if (v.filters.health) p.set('health', v.filters.health);
  if (v.filters.organizationId) p.set('organizationId', v.filters.organizationId);
  if (v.sort !== DEFAULT_SORT) p.set('sort', v.sort);
  if (v.page > 1) p.set('page', String(v.page));
  return p.toString();
}

/** The query string of one page (also the cache key). */
export function pageQuery(f: ListFilters, sort: string, page: number): string {
  const p = new URLSearchParams({ limit: String(PAGE_SIZE), page: String(page), sort });
  if (f.q) p.set('q', f.q);
  if (f.status) p.set('status', f.status);
  if (f.health) p.set('health', f.health);
  if (f.organizationId) p.set('organizationId', f.organizationId);
  return p.toString();
}

export function summaryQuery(f: Pick<ListFilters, 'q' | 'organizationId'>): string {
  const p = new URLSearchParams();
  if (f.q) p.set('q', f.q);
  if (f.organizationId) p.set('organizationId', f.organizationId);
  return p.toString();
}
