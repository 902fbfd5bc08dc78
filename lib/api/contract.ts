// A route's contract: everything the wrapper (lib/api/route.ts) enforces and the OpenAPI document
// (lib/api/openapi.ts) states, in one object. A route handler cannot be written without one
// (`route(contract, handler)`), and the document is made from the list of them
// (lib/api/operations/index.ts), so a route cannot exist or change without its contract.
import { z, type ZodType } from 'zod';
import type { AccessLevel } from '../auth/guard';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export const API_TAGS = {
  sessions: 'Phones and their WhatsApp sessions: list, pair, control, history, live events',
  messages: 'Messages of a phone: send (queued, idempotent), list, read one, download received media',
  alerts: 'Alert incidents: list, acknowledge, mute a phone, send a test alert',
  organizations: 'Organizations (tenants), their own webhook endpoints and alert recipients',
  webhooks: 'The webhook outbox: deliveries and redelivery',
  audit: 'Who did what, when',
  tokens: 'API tokens for scripts',
  users: 'Console users: invitation, role, sign-out, removal',
  monitoring: 'Health, Prometheus metrics and this document',
  auth: 'Signing in and out (NextAuth behind JSON answers)',
  demo: 'Demo mode: faults injected at the WhatsApp simulator',
} as const;
export type ApiTag = keyof typeof API_TAGS;

/** A success or operation-specific answer: a zod schema (JSON), or a JSON Schema with its media type. */
export interface ResponseSpec {
  description: string;
  schema?: ZodType;
  jsonSchema?: Record<string, unknown>;
  /** media type, default application/json */
  mediaType?: string;
  headers?: Record<string, { description: string; required?: boolean; schema: Record<string, unknown> }>;
}

/** Shared error answers (components.responses) an operation may name besides the derived ones. */
export type SharedError = 'Conflict' | 'BadGateway' | 'CloseFailed' | 'UnsupportedMediaType' | 'TooManyRequests';

export interface HeaderParam {
  name: string;
  description: string;
  schema: ZodType;
}

export interface RouteContract<B = undefined, Q = undefined, P = undefined> {
  method: HttpMethod;
  /** the OpenAPI path: `/api/sessions/{id}` for the file app/api/sessions/[id]/route.ts */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: ApiTag;
  /** who may call it: the wrapper's guard (public, any read scope, admin) */
  auth: AccessLevel;
  params?: ZodType<P>;
  query?: ZodType<Q>;
  /** JSON body; the document marks it optional when the schema accepts `{}` (what an empty body becomes) */
  body?: ZodType<B>;
  /** request headers the handler reads (documented; validated by the handler itself) */
  headers?: HeaderParam[];
  /** the body may also be sent as application/x-www-form-urlencoded (NextAuth's forms) */
  formBody?: boolean;
  /** query parameters that may not be sent together (refused with 400; stated as x-exclusive-parameters) */
  exclusiveQuery?: [string, string][];
  /** success answers and operation-specific errors by status */
  responses: Record<number, ResponseSpec | SharedError>;
  /** the route answers 404 besides an unknown path id (e.g. a referenced organization) */
  notFound?: boolean;
}

/** Declares a route's contract (identity at run time; infers the body, query and path types). */
export function defineRoute<B = undefined, Q = undefined, P = undefined>(contract: RouteContract<B, Q, P>): RouteContract<B, Q, P> {
  return contract;
}

// ---------------------------------------------------------------------------------------------
// Integers sent as text (query strings, path segments): validated as digits, then bounded. The
// bounds are kept here so that the document states exactly what the server enforces.

const integerStrings = new WeakMap<ZodType, { minimum: number; maximum: number }>();

export const INT32_MAX = 2_147_483_647;

/** A base-10 integer in a query string or path segment, between `min` and `max` (inclusive). */
export function intString(name: string, min: number, max: number = INT32_MAX) {
  const schema = z
    .string()
    .regex(/^\d+$/, `${name} must be a ${min >= 1 ? 'positive' : 'non-negative'} integer`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${name} must be between ${min} and ${max}`);
  integerStrings.set(schema, { minimum: min, maximum: max });
  return schema;
}

/** The bounds of an intString schema (for the document), or undefined. */
export const integerStringBounds = (schema: unknown) => integerStrings.get(schema as ZodType);

/** `:id` path segments: a positive 32-bit integer, with a clear message otherwise. */
export const idParams = z.object({ id: intString('id', 1) });

// Schemas whose JSON Schema zod cannot derive (a preprocess, a transform with its own check):
// the document states what they accept. The statement must be true (every value it allows is
// accepted): the property-based test (test/integration/reliability/api-fuzz.test.ts) sends such values.
const statedSchemas = new WeakMap<ZodType, Record<string, unknown>>();

/** Attaches the JSON Schema the document states for `schema` (returns `schema`). */
export function documentedAs<T extends ZodType>(schema: T, jsonSchema: Record<string, unknown>): T {
  statedSchemas.set(schema, jsonSchema);
  return schema;
}

export const statedJsonSchema = (schema: unknown) => statedSchemas.get(schema as ZodType);

/** A host name the URL parser takes (the last label starts with a letter: not an IPv4 number), with an optional port. */
export const HOST_PATTERN = '([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\\.)*[A-Za-z]([A-Za-z0-9-]*[A-Za-z0-9])?(:[1-9][0-9]{0,3})?';
