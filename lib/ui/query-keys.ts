// The one TanStack Query key factory of the console. Everything about sessions lives under
// ['sessions'], so one prefix invalidation refreshes it all (after a stream gap).
export const queryKeys = {
  sessions: () => ['sessions'] as const,
  session: (id: number) => ['sessions', id] as const,
  qr: (id: number) => ['sessions', id, 'qr'] as const,
  /** Audit entries for one phone: under the session's key, so stream events refresh it too. */
  sessionAudit: (id: number) => ['sessions', id, 'audit'] as const,
  /** One phone's stats and message traffic: under the session's key, so its events refresh it too. */
  sessionStats: (id: number) => ['sessions', id, 'stats'] as const,
  /** One phone's timeline, paged back by `before` (issue 27.4): under the session's key, so its events refresh it too. */
  sessionEvents: (id: number) => ['sessions', id, 'events'] as const,
  /** One phone's latest messages (the Messages tab): under the session's key, so a stream catch-up refreshes it; its own events patch it (components/messages). */
  sessionMessages: (id: number) => ['sessions', id, 'messages'] as const,
  /** One phone's history (issue 26): under the session's key, so its events refresh it too. */
  sessionHistory: (id: number) => ['sessions', id, 'history'] as const,
  /** The 7-day state bands of a page of phones, by their ids (the table refetches them, throttled, when a row's state changes). */
  bands: (ids: string) => ['health', 'bands', ids] as const,
  /** The message traffic of a page of phones, by their ids. */
  traffic: (ids: string) => ['messages', 'traffic', ids] as const,
  /** Every cached page of the list (prefix), and one page by its query string. */
  sessionPages: () => ['sessions', 'page'] as const,
  sessionPage: (query: string) => ['sessions', 'page', query] as const,
  summaries: () => ['sessions', 'summary'] as const,
  summary: (query: string) => ['sessions', 'summary', query] as const,
  organizations: () => ['organizations'] as const,
  tokens: () => ['tokens'] as const,
  /** The fleet's live nodes (the Nodes page). */
  nodes: () => ['nodes'] as const,
  users: () => ['users'] as const,
  organizationWebhook: (id: number) => ['organizations', id, 'webhook'] as const,
  webhookDeliveries: () => ['webhook-deliveries'] as const,
  /** The Alerts page (issue 26): every incident page (prefix) and one by its query string; the mutes; an organization's recipients. */
  alerts: () => ['alerts'] as const,
  alertIncidents: (query: string) => ['alerts', 'incidents', query] as const,
  alertMutes: () => ['alerts', 'mutes'] as const,
  alertRecipients: (organizationId: number) => ['organizations', organizationId, 'alert-recipients'] as const,
};
