// OpenAPI 3.1 document, built from the same zod schemas the route handlers validate with.
//
// Every operation is one row of OPERATIONS below. To document a new route: add its zod schemas
// (request and response) to lib/api/*schemas.ts, name any shape that is shared in NAMED (it then
// becomes a `$ref` to components.schemas), and add a row. The standard error answers (400, 401,
// 403, 404, 408, 413, 500, 503) are added from what the row declares (auth level, path id, query, body),
// so they cannot be forgotten. test/integration/api/openapi-contract.test.ts fails when a route
// file under app/api has a method that no row describes, and validates live answers against this.
import { z } from 'zod';
import {
  addPhoneBodySchema,
  closeBodySchema,
  errorStatsSchema,
  pageQuerySchema,
  pairingCodeResponseSchema,
  qrResponseSchema,
  sessionEventSchema,
  sessionSchema,
  statsResponseSchema,
  successSchema,
  updateSessionBodySchema,
} from './api/session-schemas';
import { sessionListQuerySchema, sessionPageSchema, sessionSummarySchema, summaryQuerySchema } from './api/list-schemas';
import { acceptedMessageSchema, messageListQuerySchema, messagePageSchema, messageSchema, sendMessageBodySchema } from './api/message-schemas';
import {
  auditEntrySchema,
  auditPageSchema,
  auditQuerySchema,
  createdTokenSchema,
  createTokenBodySchema,
  demoFaultBodySchema,
  demoFaultResponseSchema,
  healthSchema,
  organizationSchema,
  revokedTokenSchema,
  tokenSchema,
  inviteUserBodySchema,
  invitedUserSchema,
  userRoleBodySchema,
  userSchema,
  deliveriesQuerySchema,
  organizationWebhookBodySchema,
  organizationWebhookSchema,
  webhookDeliveryPageSchema,
  webhookDeliverySchema,
} from './api/schemas';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';
type AuthLevel = 'public' | 'read' | 'admin' | 'messages';

/** A response: a zod schema (JSON), or a JSON Schema with its media type (streams, text). */
interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  jsonSchema?: Record<string, unknown>;
  /** media type, default application/json */
  mediaType?: string;
  headers?: Record<string, unknown>;
}

export interface OperationSpec {
  method: HttpMethod;
  /** OpenAPI path, `{id}` for a path parameter (a positive 32-bit integer) */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  auth: AuthLevel;
  query?: z.ZodType;
  body?: z.ZodType;
  /** the body may also be sent as application/x-www-form-urlencoded (NextAuth's forms) */
  formBody?: boolean;
  /** success answers and operation-specific errors (409, 502, …) by status */
  responses: Record<number, ResponseSpec | StandardError>;
  /** the route answers 429 (throttled) */
  throttled?: boolean;
  /** the route answers 404 besides an unknown path id (e.g. a referenced organization) */
  notFound?: boolean;
}

/** Shapes shared between operations: each becomes components.schemas.<name> and a `$ref`. */
const NAMED: Record<string, z.ZodType> = {
  Session: sessionSchema,
  SessionPage: sessionPageSchema,
  SessionSummary: sessionSummarySchema,
  UpdatedSession: sessionSchema.extend({ restarted: z.boolean().describe('true when a new proxy restarted the running socket') }),
  SessionDetail: sessionSchema.extend({ events: z.array(sessionEventSchema) }),
  ErrorStats: errorStatsSchema,
  SessionStats: statsResponseSchema,
  SessionEvent: sessionEventSchema,
  SessionEventPage: z.object({ items: z.array(sessionEventSchema), nextCursor: z.number().int().nullable() }),
  Success: successSchema,
  CloseResult: successSchema.extend({ alreadyClosed: z.boolean() }),
  Qr: qrResponseSchema,
  PairingCode: pairingCodeResponseSchema,
  Organization: organizationSchema,
  Token: tokenSchema,
  CreatedToken: createdTokenSchema,
  RevokedToken: revokedTokenSchema,
  AuditEntry: auditEntrySchema,
  AuditPage: auditPageSchema,
  Health: healthSchema,
  DemoFaultResult: demoFaultResponseSchema,
  WebhookDelivery: webhookDeliverySchema,
  WebhookDeliveryPage: webhookDeliveryPageSchema,
  OrganizationWebhook: organizationWebhookSchema,
  Message: messageSchema,
  MessagePage: messagePageSchema,
  AcceptedMessage: acceptedMessageSchema,
};

type StandardError = 'Conflict' | 'BadGateway' | 'CloseFailed';

// NextAuth's answers (lib/auth/nextauth-json.ts): JSON, with the `url` next-auth/react reads.
const signInUrlSchema = z.object({ url: z.string().describe('where to go next') });
const authErrorSchema = z.looseObject({ error: z.string(), code: z.string(), url: z.string().optional() });
const authError = (description: string): ResponseSpec => ({ description, schema: authErrorSchema });

export const OPERATIONS: OperationSpec[] = [
  // sessions
  {
    method: 'get', path: '/api/sessions', operationId: 'listSessions', tag: 'sessions', auth: 'read', query: sessionListQuerySchema,
    summary: 'All phones with their session state and error statistics',
    description:
      'Without `limit`, `page` or `cursor`: the plain `Session[]` (sorted and searched by the server when `sort` or `q` is given). ' +
      'With any of them: one page `SessionPage` with the total.',
    responses: { 200: { description: 'Sessions, or one page of them', schema: z.union([z.array(sessionSchema), sessionPageSchema]) } },
  },
  {
    method: 'get', path: '/api/sessions/summary', operationId: 'getSessionSummary', tag: 'sessions', auth: 'read', query: summaryQuerySchema,
    summary: 'Phones per state and per health level (the summary tiles)',
    responses: { 200: { description: 'Summary', schema: sessionSummarySchema } },
  },
  {
    method: 'post', path: '/api/sessions', operationId: 'addSession', tag: 'sessions', auth: 'admin', body: addPhoneBodySchema, notFound: true,
    summary: 'Add a phone to an organization and start pairing',
    responses: { 201: { description: 'Created', schema: sessionSchema }, 409: 'Conflict' },
  },
  {
    method: 'get', path: '/api/sessions/{id}', operationId: 'getSession', tag: 'sessions', auth: 'read',
    summary: 'One session with its 50 most recent events',
    responses: { 200: { description: 'Session', schema: NAMED.SessionDetail } },
  },
  {
    method: 'patch', path: '/api/sessions/{id}', operationId: 'updateSession', tag: 'sessions', auth: 'admin', body: updateSessionBodySchema,
    summary: "Change the phone's label and/or proxy (`proxyUrl: null` or `\"\"`: direct); a new proxy restarts a running socket",
    responses: { 200: { description: 'The session, and whether its socket was restarted', schema: NAMED.UpdatedSession } },
  },
  {
    method: 'delete', path: '/api/sessions/{id}', operationId: 'deleteSession', tag: 'sessions', auth: 'admin',
    summary: 'Log out, clear auth state and delete the phone (audit kept)',
    responses: { 200: { description: 'Deleted', schema: successSchema } },
  },
  {
    method: 'get', path: '/api/sessions/{id}/stats', operationId: 'getSessionStats', tag: 'sessions', auth: 'read',
    summary: 'Error statistics (getSessionErrorStats)',
    responses: { 200: { description: 'Stats', schema: statsResponseSchema } },
  },
  {
    method: 'post', path: '/api/sessions/{id}/messages', operationId: 'sendMessage', tag: 'messages', auth: 'messages', body: sendMessageBodySchema,
    summary: 'Queue a text or media message (stored before the answer; sent by the phone\'s owner)',
    description: 'Needs an admin user or a token with the `messages` scope. Optional `Idempotency-Key` header: the same key with the same body answers the stored message (200), with another body 409 `idempotency_conflict`. A closed or logged-out phone: 409 `not_connected`. docs/messages.md.',
    responses: {
      202: { description: 'Stored and queued', schema: acceptedMessageSchema },
      200: { description: 'The message stored earlier under this Idempotency-Key', schema: messageSchema },
      409: 'Conflict',
      413: { description: 'Media larger than MESSAGE_MEDIA_MAX_BYTES (code media_too_large), or a body over API_BODY_LIMIT', jsonSchema: { $ref: '#/components/schemas/Error' } },
      415: { description: 'A mimetype the media kind does not take (code unsupported_media_type)', jsonSchema: { $ref: '#/components/schemas/Error' } },
    },
  },
  {
    method: 'get', path: '/api/sessions/{id}/messages', operationId: 'listMessages', tag: 'messages', auth: 'read', query: messageListQuerySchema,
    summary: 'Messages of the phone, newest first (text and media only for admin users and `messages` tokens)',
    responses: { 200: { description: 'A page', schema: messagePageSchema } },
  },
  {
    method: 'get', path: '/api/sessions/{id}/messages/{messageId}', operationId: 'getMessage', tag: 'messages', auth: 'read',
    summary: 'One message and its status (text and media only for admin users and `messages` tokens)',
    responses: { 200: { description: 'The message', schema: messageSchema } },
  },
  {
    method: 'get', path: '/api/sessions/{id}/messages/{messageId}/media', operationId: 'getMessageMedia', tag: 'messages', auth: 'messages',
    summary: 'The media of a received message, downloaded from WhatsApp and decrypted on request (not stored)',
    responses: {
      200: { description: 'The file', mediaType: 'application/octet-stream', jsonSchema: { type: 'string', format: 'binary' } },
      502: 'BadGateway',
    },
  },
  {
    method: 'post', path: '/api/sessions/{id}/restart', operationId: 'restartSession', tag: 'sessions', auth: 'admin',
    summary: 'Restart the session (answers once it is connecting again)',
    responses: { 200: { description: 'Restarted', schema: successSchema } },
  },
  {
    method: 'post', path: '/api/sessions/{id}/start', operationId: 'startSession', tag: 'sessions', auth: 'admin',
    summary: 'Start a closed session',
    responses: { 200: { description: 'Started', schema: successSchema } },
  },
  {
    method: 'post', path: '/api/sessions/{id}/close', operationId: 'closeSession', tag: 'sessions', auth: 'admin', body: closeBodySchema,
    summary: 'Force-close the session (no reconnect)',
    responses: { 200: { description: 'Closed', schema: NAMED.CloseResult }, 500: 'CloseFailed' },
  },
  {
    method: 'post', path: '/api/sessions/{id}/logout', operationId: 'logoutSession', tag: 'sessions', auth: 'admin', body: closeBodySchema,
    summary: 'Log the phone out of WhatsApp (its credentials are dropped: it must pair again)',
    responses: { 200: { description: 'Logged out', schema: successSchema } },
  },
  {
    method: 'post', path: '/api/sessions/{id}/pairing-code', operationId: 'requestPairingCode', tag: 'sessions', auth: 'admin',
    summary: 'Pair by phone number: the code to type on the phone (while pairing)',
    responses: { 200: { description: 'Code', schema: pairingCodeResponseSchema }, 409: 'Conflict' },
  },
  {
    method: 'get', path: '/api/sessions/{id}/qr', operationId: 'getSessionQr', tag: 'sessions', auth: 'admin',
    summary: 'Current pairing QR (text and SVG); admins only (pairing secrets go only to callers that may pair)',
    responses: { 200: { description: 'QR', schema: qrResponseSchema }, 409: 'Conflict' },
  },
  {
    method: 'get', path: '/api/sessions/{id}/events', operationId: 'listSessionEvents', tag: 'sessions', auth: 'read', query: pageQuerySchema,
    summary: 'Session history, newest first, paged by `before` (the previous page\'s nextCursor)',
    responses: { 200: { description: 'Page', schema: NAMED.SessionEventPage } },
  },
  {
    method: 'get', path: '/api/sessions/stream', operationId: 'streamSessionEvents', tag: 'sessions', auth: 'read',
    summary: 'Server-Sent Events of every session change',
    description:
      'Events: `hello` (data: `{ sessions: Session[] }`), then `state`, `stats`, `qr`, `pairing-code`, `decrypt-failure`, `auto-closed`, ' +
      '`reconnect`, `restart` with the engine event as JSON data. Every event has an `id:`; a client that reconnects with `Last-Event-ID` ' +
      'receives what it missed from a bounded buffer (`SSE_BUFFER_SIZE`), or a `reset` event when the gap is older than the buffer ' +
      '(reload the session list, then keep reading). A heartbeat comment every `SSE_HEARTBEAT_MS`. ' +
      '`qr` and `pairing-code` reach only admins. The stream re-checks its credential every `SSE_AUTH_RECHECK_MS` and ends once it is revoked.',
    responses: { 200: { description: 'An endless event stream', mediaType: 'text/event-stream', jsonSchema: { type: 'string' } } },
  },
  // organizations
  {
    method: 'get', path: '/api/organizations', operationId: 'listOrganizations', tag: 'organizations', auth: 'read',
    summary: 'Organizations (tenants), by name',
    responses: { 200: { description: 'Organizations', schema: z.array(organizationSchema) } },
  },
  {
    method: 'get', path: '/api/organizations/{id}/webhook', operationId: 'getOrganizationWebhook', tag: 'organizations', auth: 'admin',
    summary: "The organization's own webhook endpoint (the secret is write-only: only whether one is set)",
    responses: { 200: { description: 'Endpoint', schema: organizationWebhookSchema } },
  },
  {
    method: 'put', path: '/api/organizations/{id}/webhook', operationId: 'setOrganizationWebhook', tag: 'organizations', auth: 'admin', body: organizationWebhookBodySchema,
    summary: "Set or clear the organization's webhook endpoint and secret (`url: null` clears both; omit `secret` to keep it)",
    responses: { 200: { description: 'Endpoint', schema: organizationWebhookSchema } },
  },
  // webhooks
  {
    method: 'get', path: '/api/webhooks/deliveries', operationId: 'listWebhookDeliveries', tag: 'webhooks', auth: 'read', query: deliveriesQuerySchema,
    summary: 'Webhook deliveries (the outbox), newest first, paged by `before`',
    responses: { 200: { description: 'Page', schema: webhookDeliveryPageSchema } },
  },
  {
    method: 'post', path: '/api/webhooks/deliveries/{id}/redeliver', operationId: 'redeliverWebhook', tag: 'webhooks', auth: 'admin',
    summary: 'Send a delivery again (same webhook-id, a fresh attempt budget)',
    responses: { 200: { description: 'Queued', schema: webhookDeliverySchema } },
  },
  // audit
  {
    method: 'get', path: '/api/audit', operationId: 'listAudit', tag: 'audit', auth: 'read', query: auditQuerySchema,
    summary: 'Audit log, newest first, paged by `before` (the previous page\'s nextCursor)',
    responses: { 200: { description: 'Page', schema: auditPageSchema } },
  },
  // tokens
  {
    method: 'get', path: '/api/tokens', operationId: 'listTokens', tag: 'tokens', auth: 'admin',
    summary: 'API tokens (never the token itself)',
    responses: { 200: { description: 'Tokens', schema: z.array(tokenSchema) } },
  },
  {
    method: 'post', path: '/api/tokens', operationId: 'createToken', tag: 'tokens', auth: 'admin', body: createTokenBodySchema,
    summary: 'Create an API token; the answer is the only time the token is shown',
    responses: { 201: { description: 'Created', schema: createdTokenSchema } },
  },
  {
    method: 'delete', path: '/api/tokens/{id}', operationId: 'revokeToken', tag: 'tokens', auth: 'admin',
    summary: 'Revoke an API token (effective at once)',
    responses: { 200: { description: 'Revoked', schema: revokedTokenSchema } },
  },
  // users
  {
    method: 'get', path: '/api/users', operationId: 'listUsers', tag: 'users', auth: 'admin',
    summary: 'Console users (never a password)',
    responses: { 200: { description: 'Users', schema: z.array(userSchema) } },
  },
  {
    method: 'post', path: '/api/users', operationId: 'inviteUser', tag: 'users', auth: 'admin', body: inviteUserBodySchema,
    summary: 'Invite a user: creates them with a generated one-time password, shown only in this answer',
    responses: { 201: { description: 'Invited', schema: invitedUserSchema }, 409: 'Conflict' },
  },
  {
    method: 'patch', path: '/api/users/{id}', operationId: 'changeUserRole', tag: 'users', auth: 'admin', body: userRoleBodySchema,
    summary: "Change a user's role (ends their sign-in sessions); the last admin cannot be demoted (409 last_admin)",
    responses: { 200: { description: 'Changed', schema: successSchema.extend({ user: invitedUserSchema.shape.user }) }, 409: 'Conflict' },
  },
  {
    method: 'delete', path: '/api/users/{id}', operationId: 'deleteUser', tag: 'users', auth: 'admin',
    summary: 'Delete a user (their sign-in sessions end at once); the last admin cannot be deleted (409 last_admin)',
    responses: { 200: { description: 'Deleted', schema: successSchema }, 409: 'Conflict' },
  },
  {
    method: 'post', path: '/api/users/{id}/sign-out', operationId: 'signOutUser', tag: 'users', auth: 'admin',
    summary: 'End every sign-in session of a user',
    responses: { 200: { description: 'Signed out', schema: successSchema } },
  },
  // monitoring
  {
    method: 'get', path: '/api/metrics', operationId: 'getMetrics', tag: 'monitoring', auth: 'read',
    summary: 'Prometheus metrics (text exposition format 0.0.4)',
    responses: { 200: { description: 'Metrics', mediaType: 'text/plain', jsonSchema: { type: 'string' } } },
  },
  {
    method: 'get', path: '/api/health', operationId: 'getHealth', tag: 'monitoring', auth: 'public',
    summary: 'Liveness and database reachability (public)',
    responses: {
      200: { description: 'Healthy', schema: healthSchema },
      503: { description: 'The database is unreachable', schema: healthSchema },
    },
  },
  {
    method: 'get', path: '/api/openapi.json', operationId: 'getOpenApiDocument', tag: 'monitoring', auth: 'read',
    summary: 'This document',
    responses: { 200: { description: 'OpenAPI 3.1 document', jsonSchema: { type: 'object', required: ['openapi', 'paths'] } } },
  },
  // sign-in (NextAuth behind lib/auth/nextauth-json.ts; its other actions are the browser's)
  {
    method: 'get', path: '/api/auth/csrf', operationId: 'getCsrfToken', tag: 'auth', auth: 'public',
    summary: 'CSRF token for the sign-in and sign-out posts (sets its cookie)',
    responses: { 200: { description: 'Token', schema: z.object({ csrfToken: z.string() }) } },
  },
  {
    method: 'post', path: '/api/auth/callback/credentials', operationId: 'signIn', tag: 'auth', auth: 'public', formBody: true, throttled: true,
    body: z.object({ email: z.string(), password: z.string(), csrfToken: z.string(), callbackUrl: z.string().optional() }),
    summary: 'Sign in with email and password (sets the session cookie); throttled per email and client address',
    responses: {
      200: { description: 'Signed in: where to go next', schema: signInUrlSchema },
      401: authError('Wrong email or password (code invalid_credentials); `url` carries error=CredentialsSignin'),
      403: authError('CSRF token missing or invalid (code csrf_failed)'),
      415: authError('Neither a form nor JSON'),
      429: { ...authError('Too many failed attempts (code too_many_requests): `retryAfterSeconds`, `url` with the message'), headers: { 'Retry-After': { description: 'seconds to wait', schema: { type: 'integer' } } } },
    },
  },
  {
    method: 'post', path: '/api/auth/signout', operationId: 'signOut', tag: 'auth', auth: 'public', formBody: true,
    body: z.object({ csrfToken: z.string(), callbackUrl: z.string().optional() }),
    summary: 'Sign out (clears the session cookie)',
    responses: {
      200: { description: 'Signed out: where to go next', schema: signInUrlSchema },
      403: authError('CSRF token missing or invalid (code csrf_failed)'),
      415: authError('Neither a form nor JSON'),
    },
  },
  // demo
  {
    method: 'post', path: '/api/demo/faults', operationId: 'injectDemoFault', tag: 'demo', auth: 'admin', body: demoFaultBodySchema, notFound: true,
    summary: 'Demo mode only: inject a fault at the simulator for one phone (404 when SIMULATOR_URL is unset)',
    responses: { 200: { description: 'Delivered', schema: demoFaultResponseSchema }, 409: 'Conflict', 502: 'BadGateway' },
  },
];

// ---------------------------------------------------------------------------------------------
// zod → JSON Schema, with named shapes hoisted to components.schemas

const registry = z.registry<{ id: string }>();
for (const [id, s] of Object.entries(NAMED)) registry.add(s, { id });
const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

type Json = Record<string, unknown>;

/** Rewrites `#/$defs/X` refs to components, collects the $defs, drops `$schema`/`$id`. */
function hoist(node: unknown, defs: Record<string, Json>): unknown {
  if (Array.isArray(node)) return node.map((n) => hoist(n, defs));
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) {
    if (k === '$schema' || k === '$id') continue;
    if (k === '$defs') {
      for (const [name, d] of Object.entries(v as Record<string, unknown>)) defs[name] = hoist(d, defs) as Json;
      continue;
    }
    out[k] = k === '$ref' && typeof v === 'string' ? v.replace('#/$defs/', '#/components/schemas/') : hoist(v, defs);
  }
  return out;
}

function convert(s: z.ZodType, io: 'input' | 'output', defs: Record<string, Json>, self?: string): Json {
  const id = registry.get(s)?.id;
  if (id && id !== self) return ref(id);
  const raw = z.toJSONSchema(s, { io, unrepresentable: 'any', metadata: registry }) as Json;
  const out = hoist(raw, defs) as Json;
  // A named root may come back as a reference to itself in $defs.
  if (self && out.$ref === `#/components/schemas/${self}` && defs[self]) return defs[self];
  return out;
}

/** A query string value validated as digits becomes an integer parameter. */
function queryParamSchema(s: Json): Json {
  if (s.type === 'string' && s.pattern === '^\\d+$') {
    const { pattern: _p, type: _t, ...rest } = s;
    void _p;
    void _t;
    return { type: 'integer', minimum: 0, ...rest, ...(typeof rest.default === 'string' ? { default: Number(rest.default) } : {}) };
  }
  return s;
}

function queryParameters(q: z.ZodType, defs: Record<string, Json>) {
  const s = convert(q, 'input', defs);
  const props = (s.properties ?? {}) as Record<string, Json>;
  const required = new Set((s.required as string[] | undefined) ?? []);
  return Object.entries(props).map(([name, schema]) => {
    const { description, ...rest } = schema;
    return { name, in: 'query', required: required.has(name) && !('default' in schema), ...(description ? { description } : {}), schema: queryParamSchema(rest) };
  });
}

const errorRef = (name: string) => ({ $ref: `#/components/responses/${name}` });
const ERROR_BODY = { $ref: '#/components/schemas/Error' };
const errorResponse = (description: string, headers?: Json) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/json': { schema: ERROR_BODY } },
});

const RESPONSES = {
  BadRequest: errorResponse('Invalid path id, query or body (`details` lists each field)'),
  Unauthorized: errorResponse('Not signed in, or an invalid or revoked API token'),
  Forbidden: errorResponse('A viewer or read token on a change, or a cookie change from another origin (CSRF)'),
  NotFound: errorResponse('No such phone, token, user or organization'),
  Conflict: errorResponse('The state does not allow this: the phone exists (code already_registered), the session is not pairing (code not_pairing), the email is taken (code user_exists), the last admin would be demoted or deleted (code last_admin), the phone is not connected (code not_connected), an Idempotency-Key was used for another body (code idempotency_conflict), or another conflict (code conflict)'),
  PayloadTooLarge: errorResponse('The body is over API_BODY_LIMIT bytes (code payload_too_large; refused before it is read)'),
  RequestTimeout: errorResponse('The body did not arrive within BODY_TIMEOUT_MS (code request_timeout)'),
  TooManyRequests: errorResponse('Throttled', { 'Retry-After': { description: 'seconds to wait', schema: { type: 'integer' } } }),
  MethodNotAllowed: errorResponse('The path exists but not with this method', {
    Allow: { description: 'the methods this path accepts, comma-separated', required: true, schema: { type: 'string' } },
  }),
  InternalError: errorResponse('Unexpected error (never a stack trace)'),
  BadGateway: errorResponse('The simulator answered with an error'),
  ServiceUnavailable: errorResponse('The database is unavailable (code database_unavailable); retry later', {
    'Retry-After': { description: 'seconds to wait', schema: { type: 'integer' } },
  }),
  CloseFailed: {
    description: "The seed's failure shape when closing fails",
    content: { 'application/json': { schema: { type: 'object', required: ['success', 'error'], properties: { success: { const: false }, error: { type: 'string' } } } } },
  },
};

function responseObject(spec: ResponseSpec, defs: Record<string, Json>) {
  const schema = spec.jsonSchema ?? (spec.schema ? convert(spec.schema, 'output', defs) : undefined);
  return {
    description: spec.description,
    ...(spec.headers ? { headers: spec.headers } : {}),
    ...(schema ? { content: { [spec.mediaType ?? 'application/json']: { schema } } } : {}),
  };
}

function requestContent(op: OperationSpec, defs: Record<string, Json>) {
  const schema = convert(op.body!, 'input', defs);
  return { 'application/json': { schema }, ...(op.formBody ? { 'application/x-www-form-urlencoded': { schema } } : {}) };
}

function operationObject(op: OperationSpec, defs: Record<string, Json>) {
  const hasId = op.path.includes('{id}');
  const parameters = [
    ...(hasId ? [{ name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1, maximum: 2147483647 } }] : []),
    ...(op.path.includes('{messageId}') ? [{ name: 'messageId', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,128}$' } }] : []),
    ...(op.query ? queryParameters(op.query, defs) : []),
  ];
  const responses: Record<string, unknown> = {};
  for (const [status, spec] of Object.entries(op.responses)) responses[status] = typeof spec === 'string' ? errorRef(spec) : responseObject(spec, defs);
  const std = (status: number, name: string, when: boolean) => {
    if (when && !(status in responses)) responses[status] = errorRef(name);
  };
  std(400, 'BadRequest', hasId || !!op.query || !!op.body);
  std(401, 'Unauthorized', op.auth !== 'public');
  std(403, 'Forbidden', op.auth === 'admin' || op.auth === 'messages' || op.method !== 'get');
  std(404, 'NotFound', hasId || !!op.notFound);
  std(408, 'RequestTimeout', !!op.body);
  std(413, 'PayloadTooLarge', !!op.body);
  std(429, 'TooManyRequests', !!op.throttled);
  std(500, 'InternalError', true);
  std(503, 'ServiceUnavailable', true);
  return {
    operationId: op.operationId,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    tags: [op.tag],
    ...(op.auth === 'public' ? { security: [] } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(op.body ? { requestBody: { required: true, content: requestContent(op, defs) } } : {}),
    responses,
  };
}

/** The license the document states (the project has not chosen an open-source license). */
export const API_LICENSE = { name: 'UNLICENSED (private project, all rights reserved)' };

/** The server URL: NEXTAUTH_URL (the configured public origin), else http://localhost:PORT. */
export function publicServerUrl(config: { NEXTAUTH_URL?: string; PORT: number }): string {
  return (config.NEXTAUTH_URL ?? `http://localhost:${config.PORT}`).replace(/\/+$/, '');
}

export function openApiDocument(serverUrl: string) {
  const defs: Record<string, Json> = {};
  const schemas: Record<string, Json> = {
    Error: {
      type: 'object',
      required: ['error'],
      properties: { error: { type: 'string' }, code: { type: 'string' }, details: {} },
    },
  };
  for (const [id, s] of Object.entries(NAMED)) schemas[id] = convert(s, 'output', defs, id);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) (paths[op.path] ??= {})[op.method] = operationObject(op, defs);
  for (const [name, d] of Object.entries(defs)) schemas[name] ??= d;
  return {
    openapi: '3.1.0',
    info: {
      title: 'WhatsApp session console API',
      version: '1.0.0',
      license: API_LICENSE,
      description:
        'Manage WhatsApp (Baileys) sessions: list, stats, restart, close, pairing, events, audit, tokens. ' +
        'Errors are JSON `{ error, code, details? }`. A method a path does not list answers 405 ' +
        '(components.responses.MethodNotAllowed) with an `Allow` header naming the methods it does list.',
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }, { cookie: [] }],
    tags: [...new Set(OPERATIONS.map((o) => o.tag))].map((name) => ({ name })),
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'API token (npm run token -- create NAME, or the Tokens page)' },
        cookie: { type: 'apiKey', in: 'cookie', name: 'next-auth.session-token' },
      },
      schemas,
      responses: RESPONSES,
    },
    paths,
  };
}
