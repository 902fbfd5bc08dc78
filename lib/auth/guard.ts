// The one auth decision for /api/**: a signed-in user (NextAuth JWT cookie) or an API token.
// Reads need any actor; mutations need an admin. Cookie-authenticated mutations must come from
// the console's own origin (CSRF): scripts with tokens have no cookie and are not affected.
import { getToken } from 'next-auth/jwt';
import { getConfig } from '../config';
import { getDb } from '../db/client';
import { forbidden, unauthorized } from '../api/errors';
import { verifyToken } from './tokens';
import { sessionActor } from './session';
import { canUseContent, type Actor } from './roles';

/** `messages`: message content (reading bodies and media, sending): admin users and `messages` tokens. */
export type AccessLevel = 'public' | 'read' | 'admin' | 'messages';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function parseCookies(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

/** The user behind a live NextAuth session cookie, or null (no cookie, ended session, unknown role). */
export async function actorFromCookie(req: Request): Promise<Actor | null> {
  const cookies = parseCookies(req.headers.get('cookie'));
  if (!Object.keys(cookies).some((k) => k.includes('next-auth.session-token'))) return null;
  const config = getConfig();
  const token = await getToken({
    req: { cookies, headers: {} } as never,
    secret: config.NEXTAUTH_SECRET,
    secureCookie: (config.NEXTAUTH_URL ?? '').startsWith('https://'),
  });
  if (!token?.sub) return null;
  // The cookie alone is not enough: the user's row must still back it (revocation, role).
  return sessionActor(getDb(), token);
}

/** True when the request's Origin (or Referer) is the console's own origin. */
export function isSameOrigin(req: Request): boolean {
  const expected = new URL(getConfig().NEXTAUTH_URL ?? `http://localhost:${getConfig().PORT}`).origin;
  const origin = req.headers.get('origin');
  if (origin) return origin === expected;
  const referer = req.headers.get('referer');
  if (referer) {
    try {
      return new URL(referer).origin === expected;
    } catch {
      return false;
    }
  }
  return false;
}

/** Resolves the actor for a request at the given access level, or throws 401/403. */
export async function authorize(req: Request, level: AccessLevel): Promise<Actor | null> {
  if (level === 'public') return null;
  const authorization = req.headers.get('authorization');
  let actor: Actor | null = null;
  let viaCookie = false;
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    actor = match ? await verifyToken(getDb(), match[1]) : null;
    if (!actor) throw unauthorized('Invalid or revoked API token');
  } else {
    actor = await actorFromCookie(req);
    viaCookie = true;
  }
  if (!actor) throw unauthorized();
  const mutating = MUTATING.has(req.method.toUpperCase());
  if (viaCookie && mutating && !isSameOrigin(req)) throw forbidden('Cross-origin request refused (CSRF protection)');
  if (level === 'messages') {
    if (!canUseContent(actor)) throw forbidden(actor.type === 'token' ? 'The token needs the messages scope' : 'Admin role required');
    return actor;
  }
  if ((level === 'admin' || mutating) && actor.role !== 'admin') throw forbidden('Admin role required');
  return actor;
}
