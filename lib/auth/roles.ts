export const ROLES = ['admin', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** `messages`: read and send message content (bodies, captions, media); docs/messages.md. */
export const TOKEN_SCOPES = ['admin', 'read', 'messages'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** Who is making a request: a signed-in user (cookie) or an API token. */
export interface Actor {
  type: 'user' | 'token';
  id: number;
  name: string;
  role: Role;
  /** may read and send message content: admin users, and tokens with the `messages` scope */
  content?: boolean;
}

/** Whether an actor may see and send message content (bodies, captions, media). */
export const canUseContent = (actor: Actor | null | undefined): boolean => !!actor && (actor.type === 'user' ? actor.role === 'admin' : actor.content === true);

/** True when a token's scopes include message content. */
export const scopesGrantContent = (scopes: string): boolean => scopes.split(',').map((s) => s.trim()).includes('messages');

/**
 * The role a stored or transported value names, or null. Only the exact strings 'admin' and
 * 'viewer' are roles: anything else ('Viewer', 'readonly', 'disabled', '', undefined) grants
 * nothing, so a typo or a future value can never fall through to admin.
 */
export function parseRole(value: unknown): Role | null {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value) ? (value as Role) : null;
}

/** True for a role that may change things (start/close phones, pair, manage tokens). */
export const canMutate = (role: Role | null | undefined): boolean => role === 'admin';

/**
 * The role a token's comma-separated scopes grant: 'admin' when the admin scope is present,
 * 'viewer' for the read or messages scope (the latter adds message content, not admin), null when no known scope is present (the token grants nothing).
 */
export function roleOfScopes(scopes: string): Role | null {
  const list = scopes.split(',').map((s) => s.trim());
  if (list.includes('admin')) return 'admin';
  if (list.includes('read') || list.includes('messages')) return 'viewer';
  return null;
}
