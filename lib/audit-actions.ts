// Every action the console records in its audit log, in one list (no imports: the browser reads
// it too). The audit page words each per language (lib/ui/audit-text.ts) and offers them as a
// filter; an action recorded under another name still shows, as its name.
export const AUDIT_ACTIONS = [
  'session.create', 'session.start', 'session.close', 'session.restart', 'session.logout', 'session.delete', 'session.update',
  'demo.fault', 'demo.scan', 'demo.code', 'token.create', 'token.revoke', 'user.invite', 'user.role', 'user.sign_out', 'user.delete',
  'webhook.redeliver', 'webhook.test', 'organization.webhook',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const isAuditAction = (a: string): a is AuditAction => (AUDIT_ACTIONS as readonly string[]).includes(a);
