// Contracts of the NextAuth actions a script uses (app/api/auth/[...nextauth], answered as JSON by
// lib/auth/nextauth-json.ts). They are not made with route(): NextAuth serves them; the contract
// test checks that the catch-all serves exactly these (its other actions are the browser's).
import { z } from 'zod';
import { defineRoute } from '../contract';
import { ROLES } from '../../auth/roles';

// NextAuth's answers: JSON, with the `url` next-auth/react reads.
const signInUrlSchema = z.object({ url: z.string().describe('where to go next') });
const authErrorSchema = z.looseObject({ error: z.string(), code: z.string(), url: z.string().optional() });
const authError = (description: string) => ({ description, schema: authErrorSchema });

export const getCsrfToken = defineRoute({
  method: 'get', path: '/api/auth/csrf', operationId: 'getCsrfToken', tag: 'auth', auth: 'public',
  summary: 'CSRF token for the sign-in and sign-out posts (sets its cookie)',
  responses: { 200: { description: 'Token', schema: z.object({ csrfToken: z.string() }) } },
});

export const getAuthProviders = defineRoute({
  method: 'get', path: '/api/auth/providers', operationId: 'getAuthProviders', tag: 'auth', auth: 'public',
  summary: 'The sign-in methods (email and password only)',
  responses: {
    200: {
      description: 'Providers by id',
      schema: z.record(z.string(), z.object({ id: z.string(), name: z.string(), type: z.string(), signinUrl: z.string(), callbackUrl: z.string() })),
    },
  },
});

export const getAuthSession = defineRoute({
  method: 'get', path: '/api/auth/session', operationId: 'getAuthSession', tag: 'auth', auth: 'public',
  summary: 'The signed-in user of this cookie, or `{}` when not signed in',
  responses: {
    200: {
      description: 'Session (empty object when signed out)',
      schema: z.object({
        user: z
          .looseObject({ id: z.string().optional(), name: z.string().nullable().optional(), email: z.string().nullable().optional(), role: z.enum(ROLES).optional() })
          .optional(),
        expires: z.string().optional().describe('when the sign-in session ends (ISO 8601)'),
      }),
    },
  },
});

export const signIn = defineRoute({
  method: 'post', path: '/api/auth/callback/credentials', operationId: 'signIn', tag: 'auth', auth: 'public', formBody: true,
  body: z.object({ email: z.string(), password: z.string(), csrfToken: z.string(), callbackUrl: z.string().optional() }),
  summary: 'Sign in with email and password (sets the session cookie); throttled per email and client address',
  responses: {
    200: { description: 'Signed in: where to go next', schema: signInUrlSchema },
    401: authError('Wrong email or password (code invalid_credentials); `url` carries error=CredentialsSignin'),
    403: authError('CSRF token missing or invalid (code csrf_failed)'),
    415: authError('Neither a form nor JSON (code unsupported_media_type)'),
    429: {
      ...authError('Too many failed attempts (code too_many_requests): `retryAfterSeconds`, `url` with the message'),
      headers: { 'Retry-After': { description: 'seconds to wait', required: true, schema: { type: 'integer' } } },
    },
  },
});

export const signOut = defineRoute({
  method: 'post', path: '/api/auth/signout', operationId: 'signOut', tag: 'auth', auth: 'public', formBody: true,
  body: z.object({ csrfToken: z.string(), callbackUrl: z.string().optional() }),
  summary: 'Sign out (clears the session cookie)',
  responses: {
    200: { description: 'Signed out: where to go next', schema: signInUrlSchema },
    403: authError('CSRF token missing or invalid (code csrf_failed)'),
    415: authError('Neither a form nor JSON (code unsupported_media_type)'),
  },
});

/** Served by NextAuth's catch-all, not by route(). */
export const NEXTAUTH_ROUTES = [getCsrfToken, getAuthProviders, getAuthSession, signIn, signOut];
