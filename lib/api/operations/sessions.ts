// Contracts of /api/sessions/*: what each route accepts and answers (lib/api/contract.ts).
import { z } from 'zod';
import { defineRoute, idParams } from '../contract';
import {
  addPhoneBodySchema,
  closeBodySchema,
  pageQuerySchema,
  pairingCodeResponseSchema,
  qrResponseSchema,
  sessionEventSchema,
  sessionSchema,
  statsResponseSchema,
  successSchema,
  updateSessionBodySchema,
} from '../session-schemas';
import { sessionListQuerySchema, sessionPageSchema, sessionSummarySchema, summaryQuerySchema } from '../list-schemas';
import { named } from '../named-schemas';

export const updatedSessionSchema = named('UpdatedSession', sessionSchema.extend({ restarted: z.boolean().describe('true when a new proxy restarted the running socket') }));
export const sessionDetailSchema = named('SessionDetail', sessionSchema.extend({ events: z.array(sessionEventSchema) }));
export const sessionEventPageSchema = named('SessionEventPage', z.object({ items: z.array(sessionEventSchema), nextCursor: z.number().int().nullable() }));
export const closeResultSchema = named('CloseResult', successSchema.extend({ alreadyClosed: z.boolean() }));

/** An event id the stream sent (`<epoch>-<seq>`); any other value is answered with a `reset` event. */
const eventId = z.string().max(100).regex(/^[!-~]*$/, 'an event id is visible ASCII').describe('the `id:` of the last event received');
export const streamQuerySchema = z.object({ lastEventId: eventId.optional() });

export const listSessions = defineRoute({
  method: 'get', path: '/api/sessions', operationId: 'listSessions', tag: 'sessions', auth: 'read', query: sessionListQuerySchema,
  exclusiveQuery: [['page', 'cursor']],
  summary: 'All phones with their session state and error statistics',
  description:
    'Without `limit`, `page` or `cursor`: the plain `Session[]` (sorted and searched by the server when `sort` or `q` is given), streamed as it is read (a failure midway cuts the array off). ' +
    'With any of them: one page `SessionPage` with the total. `page` and `cursor` cannot be sent together (400).',
  responses: { 200: { description: 'Sessions, or one page of them', schema: z.union([z.array(sessionSchema), sessionPageSchema]) } },
});

export const getSessionSummary = defineRoute({
  method: 'get', path: '/api/sessions/summary', operationId: 'getSessionSummary', tag: 'sessions', auth: 'read', query: summaryQuerySchema,
  summary: 'Phones per state and per health level (the summary tiles)',
  responses: { 200: { description: 'Summary', schema: sessionSummarySchema } },
});

export const addSession = defineRoute({
  method: 'post', path: '/api/sessions', operationId: 'addSession', tag: 'sessions', auth: 'admin', body: addPhoneBodySchema, notFound: true,
  summary: 'Add a phone to an organization and start pairing',
  description:
    'An `organizationName` that does not exist yet creates the organization. Creation quotas per API token or signed-in user, ' +
    'counted across the fleet: `CREATE_PHONES_PER_MINUTE` phones and `CREATE_ORGANIZATIONS_PER_HOUR` new organizations; ' +
    'past them 429 `too_many_requests` with `Retry-After` (`details`: `quota`, `limit`, `windowSeconds`, `retryAfterSeconds`). ' +
    'A refused or failed request uses no quota.',
  responses: { 201: { description: 'Created', schema: sessionSchema }, 409: 'Conflict', 429: 'TooManyRequests' },
});

export const getSession = defineRoute({
  method: 'get', path: '/api/sessions/{id}', operationId: 'getSession', tag: 'sessions', auth: 'read', params: idParams,
  summary: 'One session with its 50 most recent events',
  responses: { 200: { description: 'Session', schema: sessionDetailSchema } },
});

export const updateSession = defineRoute({
  method: 'patch', path: '/api/sessions/{id}', operationId: 'updateSession', tag: 'sessions', auth: 'admin', params: idParams, body: updateSessionBodySchema,
  summary: "Change the phone's label, proxy (`proxyUrl: null` or `\"\"`: direct) and/or engine; a new proxy or engine restarts a running socket",
  description: 'At least one of `label`, `proxyUrl` and `engine`: an empty body is refused (400). A new `engine` (baileys-6 | baileys-7) reopens a running socket on it with the same credentials (docs/engines.md).',
  responses: { 200: { description: 'The session, and whether its socket was restarted', schema: updatedSessionSchema } },
});

export const deleteSession = defineRoute({
  method: 'delete', path: '/api/sessions/{id}', operationId: 'deleteSession', tag: 'sessions', auth: 'admin', params: idParams,
  summary: 'Log out, clear auth state and delete the phone (audit kept)',
  responses: { 200: { description: 'Deleted', schema: successSchema } },
});

export const getSessionStats = defineRoute({
  method: 'get', path: '/api/sessions/{id}/stats', operationId: 'getSessionStats', tag: 'sessions', auth: 'read', params: idParams,
  summary: 'Error statistics (getSessionErrorStats) and message traffic (`traffic`)',
  responses: { 200: { description: 'Stats', schema: statsResponseSchema } },
});

export const restartSession = defineRoute({
  method: 'post', path: '/api/sessions/{id}/restart', operationId: 'restartSession', tag: 'sessions', auth: 'admin', params: idParams,
  summary: 'Restart the session (answers once it is connecting again)',
  responses: { 200: { description: 'Restarted', schema: successSchema } },
});

export const startSession = defineRoute({
  method: 'post', path: '/api/sessions/{id}/start', operationId: 'startSession', tag: 'sessions', auth: 'admin', params: idParams,
  summary: 'Start a closed session',
  responses: { 200: { description: 'Started', schema: successSchema } },
});

export const closeSession = defineRoute({
  method: 'post', path: '/api/sessions/{id}/close', operationId: 'closeSession', tag: 'sessions', auth: 'admin', params: idParams, body: closeBodySchema,
  summary: 'Force-close the session (no reconnect); the body is optional',
  responses: { 200: { description: 'Closed', schema: closeResultSchema }, 500: 'CloseFailed' },
});

export const logoutSession = defineRoute({
  method: 'post', path: '/api/sessions/{id}/logout', operationId: 'logoutSession', tag: 'sessions', auth: 'admin', params: idParams, body: closeBodySchema,
  summary: 'Log the phone out of WhatsApp (its credentials are dropped: it must pair again); the body is optional',
  responses: { 200: { description: 'Logged out', schema: successSchema } },
});

export const requestPairingCode = defineRoute({
  method: 'post', path: '/api/sessions/{id}/pairing-code', operationId: 'requestPairingCode', tag: 'sessions', auth: 'admin', params: idParams,
  summary: 'Pair by phone number: the code to type on the phone (while pairing)',
  responses: { 200: { description: 'Code', schema: pairingCodeResponseSchema }, 409: 'Conflict' },
});

export const getSessionQr = defineRoute({
  method: 'get', path: '/api/sessions/{id}/qr', operationId: 'getSessionQr', tag: 'sessions', auth: 'admin', params: idParams,
  summary: 'Current pairing QR (text and SVG); admins only (pairing secrets go only to callers that may pair)',
  responses: { 200: { description: 'QR', schema: qrResponseSchema }, 409: 'Conflict' },
});

export const listSessionEvents = defineRoute({
  method: 'get', path: '/api/sessions/{id}/events', operationId: 'listSessionEvents', tag: 'sessions', auth: 'read', params: idParams, query: pageQuerySchema,
  summary: "Session history, newest first, paged by `before` (the previous page's nextCursor)",
  responses: { 200: { description: 'Page', schema: sessionEventPageSchema } },
});

export const streamSessionEvents = defineRoute({
  method: 'get', path: '/api/sessions/stream', operationId: 'streamSessionEvents', tag: 'sessions', auth: 'read', query: streamQuerySchema,
  headers: [{ name: 'Last-Event-ID', description: 'the `id:` of the last event received (EventSource sends it when it reconnects)', schema: eventId }],
  summary: 'Server-Sent Events of every session change',
  description:
    'Events: `hello` (data: `{}`; read the list with `GET /api/sessions`), then `state`, `stats`, `qr`, `pairing-code`, `decrypt-failure`, `auto-closed`, ' +
    '`reconnect`, `restart` with the engine event as JSON data. Every event has an `id:`; a client that reconnects with the ' +
    '`Last-Event-ID` header (or the `lastEventId` query parameter, for clients that cannot set headers) receives what it missed ' +
    'from a bounded buffer (`SSE_BUFFER_SIZE`), or a `reset` event (data: `{ reason: "gap" | "unknown-id" }`) when the gap is older than the buffer or the id is unknown ' +
    '(read the session list again, then keep reading). The header wins over the query parameter. A heartbeat comment every `SSE_HEARTBEAT_MS`. ' +
    '`qr` and `pairing-code` reach only admins. The stream re-checks its credential every `SSE_AUTH_RECHECK_MS` and ends once it is revoked.',
  responses: { 200: { description: 'An endless event stream', mediaType: 'text/event-stream', jsonSchema: { type: 'string' } } },
});
