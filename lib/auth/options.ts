// NextAuth: credentials provider, JWT sessions carrying the user's id and role.
import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { getConfig } from '../config';
import { getDb } from '../db/client';
import { getLogger } from '../logger';
import { CLIENT_IP_HEADER } from '../http/client-address';
import { reserveLoginAttempt, throttleKey, addressThrottleKey, throttleMessage } from './throttle';
import { signInContext } from './sign-in-context';
import { safeRedirectPath } from './safe-redirect';
import { endUserSessions, verifyCredentials } from './users';
import { parseRole } from './roles';
import { sessionActor } from './session';

/**
 * The client address, as the HTTP edge (lib/http/edge.ts) computed it from the socket and the
 * trusted proxies; a client cannot set it. 'unknown' when the console runs without the edge.
 */
export function clientIp(headers: Record<string, unknown> | Headers | undefined): string {
  const value = headers instanceof Headers ? headers.get(CLIENT_IP_HEADER) : headers?.[CLIENT_IP_HEADER];
  return typeof value === 'string' && value ? value : 'unknown';
}

export function authOptions(): NextAuthOptions {
  const config = getConfig();
  return {
    secret: config.NEXTAUTH_SECRET,
    session: { strategy: 'jwt', maxAge: 12 * 3600 },
    pages: { signIn: '/login' },
    providers: [
      CredentialsProvider({
        name: 'Email and password',
        credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
        async authorize(credentials, req) {
          const email = String(credentials?.email ?? '').slice(0, 320);
          const password = String(credentials?.password ?? '').slice(0, 1024);
          if (!email || !password) return null;
          const db = getDb();
          const ctx = signInContext.getStore();
          try {
            const ip = clientIp(req?.headers);
            // Counted before the password is checked, atomically (parallel attempts cannot exceed
            // it): per client address across emails first (a storm of new emails), then per email.
            const byAddress = await reserveLoginAttempt(db, addressThrottleKey(ip), { maxFailures: config.LOGIN_ADDRESS_MAX_FAILURES, windowMs: config.LOGIN_WINDOW_MS });
            const attempt = byAddress.allowed ? await reserveLoginAttempt(db, throttleKey(email, ip), { maxFailures: config.LOGIN_MAX_FAILURES, windowMs: config.LOGIN_WINDOW_MS }) : byAddress;
            if (!attempt.allowed) {
              if (ctx) ctx.throttledForSeconds = attempt.retryAfterSeconds;
              throw new Error(throttleMessage(attempt.retryAfterSeconds));
            }
            const user = await verifyCredentials(db, email, password);
            if (!user) {
              getLogger().warn({ email }, 'failed sign-in');
              return null;
            }
            await attempt.succeeded();
            if (byAddress.allowed) await byAddress.succeeded();
            getLogger().info({ userId: user.id }, 'signed in');
            return { id: String(user.id), email: user.email, name: user.name ?? user.email, role: user.role, sv: user.sessionVersion };
          } catch (err) {
            // Unexpected (the database is down…): the route answers it (503), NextAuth gets no detail.
            if (ctx && !ctx.throttledForSeconds) {
              ctx.failure = err;
              throw new Error('unavailable');
            }
            throw err;
          }
        },
      }),
    ],
    callbacks: {
      // Only same-origin paths are followed after sign-in/out (no open redirect).
      async redirect({ url, baseUrl }) {
        return new URL(safeRedirectPath(url, baseUrl), baseUrl).toString();
      },
      async jwt({ token, user }) {
        if (user) {
          const signedIn = user as { role?: string; sv?: number };
          token.role = parseRole(signedIn.role) ?? undefined;
          token.sv = signedIn.sv;
        }
        return token;
      },
      async session({ session, token }) {
        return { ...session, user: { ...session.user, id: token.sub, role: parseRole(token.role) ?? undefined, sv: token.sv } };
      },
    },
    events: {
      // Sign-out ends every sign-in session of the user, not only this cookie's (a copied cookie
      // must not outlive it). Only a live cookie may do so: an ended one changes nothing.
      async signOut({ token }) {
        const db = getDb();
        const actor = await sessionActor(db, token);
        if (actor) {
          await endUserSessions(db, actor.id);
          getLogger().info({ userId: actor.id }, 'signed out: sessions ended');
        }
      },
    },
  };
}
