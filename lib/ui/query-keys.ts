// The one TanStack Query key factory of the console.
export const queryKeys = {
  sessions: () => ['sessions'] as const,
  session: (id: number) => ['sessions', id] as const,
  qr: (id: number) => ['sessions', id, 'qr'] as const,
  /** Audit entries for one phone: under the session's key, so stream events refresh it too. */
  sessionAudit: (id: number) => ['sessions', id, 'audit'] as const,
  tokens: () => ['tokens'] as const,
  organizations: () => ['organizations'] as const,
  organizationWebhook: (id: number) => ['organizations', id, 'webhook'] as const,
  webhookDeliveries: () => ['webhook-deliveries'] as const,
};
