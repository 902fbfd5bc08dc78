// The OpenAPI 3.1 document, made from the route contracts (lib/api/operations/*): the same objects
// the route wrapper validates and authorizes with. Nothing here names a route: a route's path,
// method, auth, parameters, body and answers come from its contract; the standard error answers
// (400, 401, 403, 404, 408, 413, 500, 503) are added from what the contract declares, so they
// cannot be forgotten. Named shapes (lib/api/named-schemas.ts) become components.schemas and $refs.
import { z, type ZodType } from 'zod';
import { API_TAGS, integerStringBounds, statedJsonSchema, type ResponseSpec, type RouteContract, type SharedError } from './contract';
import { namedSchemas, schemaName } from './named-schemas';
import { ALL_ROUTES } from './operations';

type Json = Record<string, unknown>;
type AnyContract = RouteContract<unknown, unknown, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** zod → JSON Schema (2020-12, the dialect of OpenAPI 3.1), with named shapes as $refs. */
function toJsonSchema(schema: ZodType, io: 'input' | 'output', root?: ZodType): Json {
  const name = schemaName(schema);
  if (name && schema !== root) return ref(name);
  const out = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    override: (ctx) => {
      const node = ctx.zodSchema as unknown as ZodType;
      const replace = (value: Json) => {
        for (const key of Object.keys(ctx.jsonSchema)) delete (ctx.jsonSchema as Json)[key];
        Object.assign(ctx.jsonSchema, value);
      };
      const named = node !== root ? schemaName(node) : undefined;
      const stated = statedJsonSchema(node);
      const def = (node as unknown as { _zod: { def: { type: string; innerType?: unknown; defaultValue?: unknown } } })._zod.def;
      // Digits in a query string or path: documented as the integer they stand for (with its
      // default, which zod leaves out because it is the transformed value).
      const defaulted = def.type === 'default' ? integerStringBounds(def.innerType) : undefined;
      const bounds = integerStringBounds(node);
      if (named) replace(ref(named));
      else if (stated) replace(structuredClone(stated));
      else if (defaulted) replace({ type: 'integer', ...defaulted, default: def.defaultValue });
      else if (bounds) replace({ type: 'integer', ...bounds });
    },
  }) as Json;
  delete out.$schema;
  return out;
}

function parameters(contract: AnyContract) {
  const list: Json[] = [];
  const add = (where: 'path' | 'query', schema: ZodType | undefined) => {
    if (!schema) return;
    const object = toJsonSchema(schema, 'input');
    const required = new Set((object.required as string[] | undefined) ?? []);
    for (const [name, s] of Object.entries((object.properties ?? {}) as Record<string, Json>)) {
      const { description, ...rest } = s;
      const exclusive = (contract.exclusiveQuery ?? []).find((pair) => pair.includes(name));
      const note = exclusive ? `not with \`${exclusive.find((n) => n !== name)}\` (400)` : undefined;
      const text = [description, note].filter(Boolean).join('; ');
      list.push({
        name,
        in: where,
        required: where === 'path' || (required.has(name) && !('default' in rest)),
        ...(text ? { description: text } : {}),
        schema: rest,
      });
    }
  };
  add('path', contract.params);
  add('query', contract.query);
  for (const h of contract.headers ?? []) {
    const { description: _own, ...schema } = toJsonSchema(h.schema, 'input');
    void _own;
    list.push({ name: h.name, in: 'header', required: false, description: h.description, schema });
  }
  return list;
}

const ERROR_BODY = ref('Error');
const errorResponse = (description: string, headers?: Json) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/json': { schema: ERROR_BODY } },
});
const RETRY_AFTER = { 'Retry-After': { description: 'seconds to wait', required: true, schema: { type: 'integer' } } };

type ResponseName = SharedError | 'BadRequest' | 'Unauthorized' | 'Forbidden' | 'NotFound' | 'PayloadTooLarge' | 'RequestTimeout' | 'InternalError' | 'ServiceUnavailable';

const RESPONSES: Record<ResponseName, Json> = {
  BadRequest: errorResponse('Invalid path id, query or body (code bad_request; `details` lists each field)'),
  Unauthorized: errorResponse('Not signed in, or an invalid or revoked API token (code unauthorized)'),
  Forbidden: errorResponse('A viewer or read token on a change or on message content (which needs an admin user or a `messages` token), or a cookie change from another origin (CSRF) (code forbidden)'),
  NotFound: errorResponse('No such phone, message, token, user, delivery or organization (code not_found)'),
  Conflict: errorResponse('The state does not allow this: the phone exists (code already_registered), the session is not pairing (code not_pairing), the email is taken (code user_exists), the last admin would be demoted or deleted (code last_admin), the phone is not connected (code not_connected), an Idempotency-Key was used for another body (code idempotency_conflict), the organization still has phones (code organization_not_empty), or another conflict (code conflict)'),
  PayloadTooLarge: errorResponse('The body is over API_BODY_LIMIT bytes (code payload_too_large; refused before it is read)'),
  RequestTimeout: errorResponse('The body did not arrive within BODY_TIMEOUT_MS (code request_timeout)'),
  TooManyRequests: errorResponse('Throttled, or a creation quota is used up (code too_many_requests)', RETRY_AFTER),
  UnsupportedMediaType: errorResponse('A body that is not application/json (or a `+json` type) (code unsupported_media_type)'),
  InternalError: errorResponse('Unexpected error (code internal; never a stack trace)'),
  BadGateway: errorResponse('The simulator answered with an error (code simulator)'),
  ServiceUnavailable: errorResponse('The database is unavailable (code database_unavailable); retry later', RETRY_AFTER),
  CloseFailed: {
    description: "Closing failed (code close_failed), in the seed's shape with `success: false`",
    content: {
      'application/json': {
        schema: {
          type: 'object',
          required: ['success', 'error', 'code'],
          properties: { success: { type: 'boolean', const: false }, error: { type: 'string' }, code: { type: 'string', const: 'close_failed' } },
        },
      },
    },
  },
};

function responseObject(spec: ResponseSpec) {
  const schema = spec.jsonSchema ?? (spec.schema ? toJsonSchema(spec.schema, 'output') : undefined);
  return {
    description: spec.description,
    ...(spec.headers ? { headers: spec.headers } : {}),
    ...(schema ? { content: { [spec.mediaType ?? 'application/json']: { schema } } } : {}),
  };
}

/** The body is optional when what an empty body becomes (`{}`) is valid. */
const bodyRequired = (body: ZodType) => !body.safeParse({}).success;

function operationObject(contract: AnyContract, used: Set<ResponseName>) {
  const parameters_ = parameters(contract);
  const responses: Record<string, unknown> = {};
  const named = (name: ResponseName) => {
    used.add(name);
    return { $ref: `#/components/responses/${name}` };
  };
  for (const [status, spec] of Object.entries(contract.responses)) responses[status] = typeof spec === 'string' ? named(spec) : responseObject(spec);
  const std = (status: number, name: ResponseName, when: boolean) => {
    if (when && !(status in responses)) responses[status] = named(name);
  };
  const hasBody = !!contract.body;
  std(400, 'BadRequest', !!contract.params || !!contract.query || hasBody);
  std(401, 'Unauthorized', contract.auth !== 'public');
  std(403, 'Forbidden', contract.auth === 'admin' || contract.auth === 'messages' || contract.method !== 'get');
  std(404, 'NotFound', !!contract.params || !!contract.notFound);
  std(408, 'RequestTimeout', hasBody);
  std(413, 'PayloadTooLarge', hasBody);
  std(415, 'UnsupportedMediaType', hasBody);
  std(500, 'InternalError', true);
  std(503, 'ServiceUnavailable', true);
  const sorted = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => Number(a) - Number(b)));
  const body = contract.body ? toJsonSchema(contract.body, 'input') : undefined;
  return {
    operationId: contract.operationId,
    summary: contract.summary,
    ...(contract.description ? { description: contract.description } : {}),
    tags: [contract.tag],
    ...(contract.auth === 'public' ? { security: [] } : {}),
    ...(parameters_.length ? { parameters: parameters_ } : {}),
    ...(contract.exclusiveQuery ? { 'x-exclusive-parameters': contract.exclusiveQuery } : {}),
    ...(body
      ? {
          requestBody: {
            required: bodyRequired(contract.body!),
            content: { 'application/json': { schema: body }, ...(contract.formBody ? { 'application/x-www-form-urlencoded': { schema: body } } : {}) },
          },
        }
      : {}),
    responses: sorted,
  };
}

/** The license the document states (the project has not chosen an open-source license). */
export const API_LICENSE = { name: 'Proprietary (private project, all rights reserved)', identifier: 'LicenseRef-Proprietary' };

/** The server URL: NEXTAUTH_URL (the configured public origin), else http://localhost:PORT. */
export function publicServerUrl(config: { NEXTAUTH_URL?: string; PORT: number }): string {
  return (config.NEXTAUTH_URL ?? `http://localhost:${config.PORT}`).replace(/\/+$/, '');
}

export function openApiDocument(serverUrl: string, routes: AnyContract[] = ALL_ROUTES) {
  const paths: Record<string, Record<string, unknown>> = {};
  const used = new Set<ResponseName>();
  for (const contract of routes) {
    const item = (paths[contract.path] ??= {});
    if (item[contract.method]) throw new Error(`two contracts for ${contract.method.toUpperCase()} ${contract.path}`);
    item[contract.method] = operationObject(contract, used);
  }
  const schemas: Record<string, Json> = {
    Error: {
      type: 'object',
      required: ['error', 'code'],
      properties: {
        error: { type: 'string', description: 'what is wrong, for a person' },
        code: { type: 'string', description: 'what is wrong, for a program (bad_request, not_found, …)' },
        details: { description: 'more about the error (e.g. the invalid fields)' },
      },
    },
  };
  for (const { name, schema } of namedSchemas()) schemas[name] = toJsonSchema(schema, 'output', schema);
  const tags = [...new Set(routes.map((r) => r.tag))];
  return {
    openapi: '3.1.0',
    info: {
      title: 'WhatsApp session console API',
      version: '1.0.0',
      license: API_LICENSE,
      description:
        'Manage WhatsApp (Baileys) sessions: list, stats, restart, close, pairing, events, audit, tokens. ' +
        'Errors are JSON `{ error, code, details? }` (components.schemas.Error). No string in a query or a JSON body may contain a NUL character (400). A method a path does not list answers ' +
        '405 with that Error body (code method_not_allowed) and an `Allow` header naming the methods the path lists.',
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }, { cookie: [] }],
    tags: tags.map((name) => ({ name, description: API_TAGS[name] })),
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'API token (npm run token -- create NAME, or the Tokens page)' },
        cookie: { type: 'apiKey', in: 'cookie', name: 'next-auth.session-token', description: 'the sign-in session of the console (browser)' },
      },
      schemas,
      responses: Object.fromEntries(Object.entries(RESPONSES).filter(([name]) => used.has(name as ResponseName))),
    },
    paths,
  };
}

export type OpenApiDocument = ReturnType<typeof openApiDocument>;
