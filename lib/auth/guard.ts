// The one auth decision for /api/**: a signed-in user (NextAuth JWT cookie) or an API token.
// Reads need any actor; mutations need an admin. Cookie-authenticated mutations must come from
// the console's own origin (CSRF): scripts with tokens have no cookie and are not affected.
import { getToken } from 'next-auth/jwt';
import { getConfig } from '../config';
import { getDb } from '../db/client';
import { forbidden, tooManyRequests, unauthorized } from '../api/errors';
import { CLIENT_IP_HEADER } from '../http/client-address';
import { WindowCounter } from '../http/rate-limit';
import { getLogger } from '../logger';
import { tokenFailures } from './auth-metrics';
import { reserveLoginAttempt, tokenThrottleKey } from './throttle';
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

const holder = globalThis as unknown as { __tokenFailureWindows?: WindowCounter };

/** Invalid bearer tokens per client address (issue 21.4): past TOKEN_MAX_FAILURES, every token check from it is refused. */
function failedTokenChecks(): WindowCounter {
  holder.__tokenFailureWindows ??= new WindowCounter(() => ({ max: getConfig().TOKEN_MAX_FAILURES, windowMs: getConfig().TOKEN_FAILURE_WINDOW_MS }));
  return holder.__tokenFailureWindows;
}

/**
 * A bearer token's actor, or 401; 429 once the address has sent too many invalid tokens (then even
 * a valid token is refused until the window ends: a guesser learns nothing). Failures are counted
 * in wa_auth_token_failures_total and logged with the address, never the token.
 */
async function actorFromToken(req: Request, authorization: string): Promise<Actor> {
  const address = req.headers.get(CLIENT_IP_HEADER) ?? 'unknown';
  const windows = failedTokenChecks();
  const blocked = windows.check(address);
  if (!blocked.allowed) {
    tokenFailures().inc({ result: 'throttled' });
    throw tooManyRequests('Too many invalid API tokens from this address; try again later', blocked.retryAfterSeconds);
  }
  const match = /^Bearer\s+(\S+)$/i.exec(authorization);
  const actor = match ? await verifyToken(getDb(), match[1]) : null;
  if (actor) return actor;
  // Counted here (so this node refuses without a query) and in the database, so a guesser who
  // spreads over the nodes of a fleet gets the limit once, not once per node: a node that learns
  // from the shared count that the address is past it refuses it from then on too.
  let counted = windows.hit(address);
  const shared = await reserveLoginAttempt(getDb(), tokenThrottleKey(address), { maxFailures: getConfig().TOKEN_MAX_FAILURES, windowMs: getConfig().TOKEN_FAILURE_WINDOW_MS });
  if (!shared.allowed && counted.allowed) {
    windows.blockFor(address, shared.retryAfterSeconds);
    counted = { allowed: false, retryAfterSeconds: shared.retryAfterSeconds };
  }
  tokenFailures().inc({ result: 'invalid' });
  getLogger().warn({ clientAddress: address, throttled: !counted.allowed }, 'invalid or revoked API token');
  throw unauthorized('Invalid or revoked API token');
}

/** Resolves the actor for a request at the given access level, or throws 401/403 (429 for a token guesser). */
export async function authorize(req: Request, level: AccessLevel): Promise<Actor | null> {
  if (level === 'public') return null;
  const authorization = req.headers.get('authorization');
  let actor: Actor | null = null;
  let viaCookie = false;
  if (authorization) {
    actor = await actorFromToken(req, authorization);
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
