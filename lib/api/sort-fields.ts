// The fields the session list can be sorted by (server side, in SQL). Without imports: the
// browser reads it too (lib/ui/list-params.ts), and zod must not reach the browser's bundle (its
// eval probe breaks the console's CSP).
export const SESSION_SORT_FIELDS = ['id', 'phone', 'label', 'organization', 'status', 'lastConnectedAt', 'createdAt', 'uptime'] as const;
export type SessionSortField = (typeof SESSION_SORT_FIELDS)[number];
