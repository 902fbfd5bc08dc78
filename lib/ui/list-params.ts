// The sessions table's query parameters, shared by the server page (first render) and the client.
import type { HealthLevel, SessionState } from '../sessions/types';

export const PAGE_SIZE = 50;
export const DEFAULT_SORT = '-id';

export interface ListFilters {
  q: string;
  status: SessionState | '';
  health: HealthLevel | '';
  organizationId: string;
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

