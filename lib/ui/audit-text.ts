// The audit log in the admin's language (issue 27.5): each action's words, and the result.
import { AUDIT_ACTIONS, isAuditAction, type AuditAction } from '../audit-actions';
import type { MessageKey, Translate } from './i18n';

/** Every recorded action has words (the compiler asks for a new action's). */
const ACTION_KEY = {
  'session.create': 'auditAction.session.create',
  'session.start': 'auditAction.session.start',
  'session.close': 'auditAction.session.close',
  'session.restart': 'auditAction.session.restart',
  'session.logout': 'auditAction.session.logout',
  'session.delete': 'auditAction.session.delete',
  'session.update': 'auditAction.session.update',
  'demo.fault': 'auditAction.demo.fault',
  'demo.scan': 'auditAction.demo.scan',
  'demo.code': 'auditAction.demo.code',
  'token.create': 'auditAction.token.create',
  'token.revoke': 'auditAction.token.revoke',
  'user.invite': 'auditAction.user.invite',
  'user.role': 'auditAction.user.role',
  'user.sign_out': 'auditAction.user.sign_out',
  'user.delete': 'auditAction.user.delete',
  'webhook.redeliver': 'auditAction.webhook.redeliver',
  'webhook.test': 'auditAction.webhook.test',
  'organization.webhook': 'auditAction.organization.webhook',
} as const satisfies Record<AuditAction, MessageKey>;

/** "Session started" for session.start; an action not in the list as its name. */
export function auditActionText(t: Translate, action: string): string {
  return isAuditAction(action) ? t(ACTION_KEY[action]) : action;
}

/** The actions a filter offers, worded and sorted by their words. */
export function auditActionOptions(t: Translate): { value: AuditAction; label: string }[] {
  return AUDIT_ACTIONS.map((a) => ({ value: a, label: auditActionText(t, a) })).sort((x, y) => x.label.localeCompare(y.label));
}

/** What an entry adds to its action's words: the fault kind of an injected demo fault ("Fault: bad-mac × 2"); else null. */
export function auditActionDetail(t: Translate, action: string, detail: unknown): string | null {
  if (action !== 'demo.fault' || !detail || typeof detail !== 'object') return null;
  const { type, count } = detail as { type?: unknown; count?: unknown };
  if (typeof type !== 'string') return null;
  return `${t('faults.type')}: ${type}${typeof count === 'number' && count > 1 ? ` × ${count}` : ''}`;
}
