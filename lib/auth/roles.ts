export const ROLES = ['admin', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const TOKEN_SCOPES = ['admin', 'read'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** Who is making a request: a signed-in user (cookie) or an API token. */
export interface Actor {
  type: 'user' | 'token';
  id: number;
  name: string;
  role: Role;
}

export function roleOfScopes(scopes: string): Role {
  return scopes.split(',').map((s) => s.trim()).includes('admin') ? 'admin' : 'viewer';
}
