// NextAuth: credentials provider, JWT sessions carrying the user's id and role.
import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { getConfig } from '../config';
import { getDb } from '../db/client';
import { getLogger } from '../logger';
import { clearLoginFailures, loginBlockedFor, recordLoginFailure, throttleKey, throttleMessage } from './throttle';
import { endUserSessions, verifyCredentials } from './users';
import { parseRole } from './roles';
import { sessionActor } from './session';

/** The client address as the server sees it (first X-Forwarded-For hop when proxied). */
export function clientIp(headers: Record<string, unknown> | Headers | undefined): string {
  const get = (name: string) =>
    headers instanceof Headers ? headers.get(name) : (headers?.[name] as string | undefined) ?? null;
  return get('x-forwarded-for')?.split(',')[0]?.trim() || get('x-real-ip') || 'local';
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
          const key = throttleKey(email, clientIp(req?.headers));
          const wait = await loginBlockedFor(db, key, { maxFailures: config.LOGIN_MAX_FAILURES, windowMs: config.LOGIN_WINDOW_MS });
          if (wait > 0) throw new Error(throttleMessage(wait));
          const user = await verifyCredentials(db, email, password);
          if (!user) {
            await recordLoginFailure(db, key);
            getLogger().warn({ email }, 'failed sign-in');
            return null;
          }
          await clearLoginFailures(db, key);
          getLogger().info({ userId: user.id }, 'signed in');
          return { id: String(user.id), email: user.email, name: user.name ?? user.email, role: user.role, sv: user.sessionVersion };
        },
      }),
    ],
    callbacks: {
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
