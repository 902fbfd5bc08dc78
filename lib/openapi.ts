// OpenAPI 3.1 document built from the same zod schemas the route handlers validate with.
import { z } from 'zod';
import {
  addPhoneBodySchema,
  closeBodySchema,
  qrResponseSchema,
  pairingCodeResponseSchema,
  sessionEventSchema,
  sessionSchema,
  statsResponseSchema,
  successSchema,
} from './api/session-schemas';

const schema = (s: z.ZodType, io: 'input' | 'output' = 'output') => z.toJSONSchema(s, { io, unrepresentable: 'any' });
const json = (s: z.ZodType, io: 'input' | 'output' = 'output') => ({ content: { 'application/json': { schema: schema(s, io) } } });
const error = { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
const idParam = [{ name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1, maximum: 2147483647 } }];
const errorWith = (description: string) => ({ ...error, description });
// Every route: 408/413 from the HTTP edge (lib/http/edge.ts), 503 `database_unavailable` during a database outage.
const std = {
  400: error,
  401: error,
  403: error,
  404: error,
  408: errorWith('Request body not received within BODY_TIMEOUT_MS (code request_timeout)'),
  413: errorWith('Request body above API_BODY_LIMIT (code payload_too_large)'),
  503: errorWith('The database is unavailable (code database_unavailable); Retry-After'),
};
const form = (properties: Record<string, unknown>, required: string[]) => {
  const body = { type: 'object', properties, required };
  return { content: { 'application/x-www-form-urlencoded': { schema: body }, 'application/json': { schema: body } } };
};
const urlAnswer = { description: 'Done: where to go next', content: { 'application/json': { schema: { type: 'object', properties: { url: { type: 'string' } } } } } };

export function openApiDocument(serverUrl: string) {
  return {
    openapi: '3.1.0',
    info: { title: 'WhatsApp session console API', version: '1.0.0', description: 'Manage WhatsApp (Baileys) sessions: list, stats, restart, close, pairing, events, audit.' },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }, { cookie: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'API token (npm run token -- create NAME, or the Tokens page)' },
        cookie: { type: 'apiKey', in: 'cookie', name: 'next-auth.session-token' },
      },
      schemas: {
        Error: { type: 'object', required: ['error'], properties: { error: { type: 'string' }, code: { type: 'string' }, details: {} } },
        Session: schema(sessionSchema),
      },
    },
    paths: {
      '/api/sessions': {
        get: {
          summary: 'All phones with their session state and error statistics',
          parameters: [
            { name: 'status', in: 'query', schema: { type: 'string' } },
            { name: 'organizationId', in: 'query', schema: { type: 'integer' } },
            { name: 'health', in: 'query', schema: { type: 'string' } },
          ],
          responses: { 200: { description: 'Sessions', ...json(z.array(sessionSchema)) }, ...std },
        },
        post: { summary: 'Add a phone to an organization and start pairing', requestBody: json(addPhoneBodySchema, 'input'), responses: { 201: { description: 'Created', ...json(sessionSchema) }, 409: error, ...std } },
      },
      '/api/sessions/{id}': {
        get: { summary: 'One session with recent events', parameters: idParam, responses: { 200: { description: 'Session', ...json(sessionSchema.extend({ events: z.array(sessionEventSchema) })) }, ...std } },
        delete: { summary: 'Log out, clear auth state and delete the phone (audit kept)', parameters: idParam, responses: { 200: { description: 'Deleted', ...json(successSchema) }, ...std } },
      },
      '/api/sessions/{id}/stats': { get: { summary: 'Error statistics (getSessionErrorStats)', parameters: idParam, responses: { 200: { description: 'Stats', ...json(statsResponseSchema) }, ...std } } },
      '/api/sessions/{id}/restart': { post: { summary: 'Restart the session', parameters: idParam, responses: { 200: { description: 'Restarted', ...json(successSchema) }, ...std } } },
      '/api/sessions/{id}/start': { post: { summary: 'Start the session', parameters: idParam, responses: { 200: { description: 'Started', ...json(successSchema) }, ...std } } },
      '/api/sessions/{id}/close': {
        post: { summary: 'Force-close the session (no reconnect)', parameters: idParam, requestBody: json(closeBodySchema, 'input'), responses: { 200: { description: 'Closed', ...json(successSchema.extend({ alreadyClosed: z.boolean() })) }, 500: error, ...std } },
      },
      '/api/sessions/{id}/pairing-code': { post: { summary: 'Pair by phone number: the code to type on the phone (while pairing)', parameters: idParam, responses: { 200: { description: 'Code', ...json(pairingCodeResponseSchema) }, 409: error, ...std } } },
      '/api/sessions/{id}/qr': { get: { summary: 'Current pairing QR (text and SVG); admins only', parameters: idParam, responses: { 200: { description: 'QR', ...json(qrResponseSchema) }, 409: error, ...std } } },
      '/api/sessions/{id}/events': {
        get: {
          summary: 'Session history, newest first',
          parameters: [...idParam, { name: 'limit', in: 'query', schema: { type: 'integer' } }, { name: 'before', in: 'query', schema: { type: 'integer' } }],
          responses: { 200: { description: 'Page', ...json(z.object({ items: z.array(sessionEventSchema), nextCursor: z.number().nullable() })) }, ...std },
        },
      },
      '/api/sessions/stream': { get: { summary: 'Server-Sent Events of every session change', responses: { 200: { description: 'text/event-stream' }, 401: error } } },
      '/api/audit': { get: { summary: 'Audit log, newest first', responses: { 200: { description: 'Page' }, ...std } } },
      '/api/metrics': { get: { summary: 'Prometheus metrics', responses: { 200: { description: 'text/plain' }, 401: error } } },
      '/api/auth/csrf': { get: { summary: 'CSRF token for the sign-in and sign-out posts (sets its cookie)', security: [], responses: { 200: { description: '{ csrfToken }' } } } },
      '/api/auth/callback/credentials': {
        post: {
          summary: 'Sign in with email and password (sets the session cookie); throttled per email and client address',
          security: [],
          requestBody: form({ email: { type: 'string' }, password: { type: 'string' }, csrfToken: { type: 'string' }, callbackUrl: { type: 'string' } }, ['email', 'password', 'csrfToken']),
          responses: {
            ...std,
            200: urlAnswer,
            401: errorWith('Wrong email or password (code invalid_credentials); `url` carries error=CredentialsSignin'),
            403: errorWith('CSRF token missing or invalid (code csrf_failed)'),
            429: errorWith('Too many failed attempts (code too_many_requests); Retry-After, `retryAfterSeconds`, `url` with the message'),
          },
        },
        get: { summary: 'Not served', security: [], responses: { 405: errorWith('Use POST (Allow: POST)') } },
      },
      '/api/auth/signout': {
        post: { summary: 'Sign out (clears the session cookie)', requestBody: form({ csrfToken: { type: 'string' } }, ['csrfToken']), responses: { ...std, 200: urlAnswer, 403: errorWith('CSRF token missing or invalid') } },
      },
      '/api/health': { get: { summary: 'Liveness (public)', security: [], responses: { 200: { description: 'OK' }, 503: { description: 'Database unreachable' } } } },
    },
  };
}
