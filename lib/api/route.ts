// The one wrapper every route handler goes through: auth, body-size limit, JSON parsing, zod
// validation and error mapping, all as the route's contract (lib/api/contract.ts) states them:
// the same object the OpenAPI document is made from. Handlers receive typed, validated input and
// return a Response or a plain value (sent as JSON 200).
import { z, type ZodType } from 'zod';
import { getConfig } from '../config';
import { authorize } from '../auth/guard';
import type { Actor } from '../auth/roles';
import { ApiError, badRequest, json, payloadTooLarge, toResponse } from './errors';
import type { RouteContract } from './contract';

export interface RouteContext<B, Q, P> {
  req: Request;
  body: B;
  query: Q;
  params: P;
  actor: Actor | null;
}

type NextRouteContext = { params?: Promise<Record<string, string | string[]>> };

function issues(error: z.ZodError) {
  return error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
}

function validate<T>(schema: ZodType<T> | undefined, value: unknown, what: string): T {
  if (!schema) return value as T;
  const result = schema.safeParse(value);
  if (!result.success) {
    const list = issues(result.error);
    throw badRequest(`Invalid ${what}: ${list.map((i) => `${i.path}: ${i.message}`).join('; ')}`, list);
  }
  return result.data;
}

/** Reads the body as text, refusing more than `limit` bytes whatever Content-Length claims. */
async function readBody(req: Request, limit: number): Promise<string> {
  const declared = Number(req.headers.get('content-length') ?? '0');
  if (declared > limit) throw payloadTooLarge(limit);
  if (!req.body) return '';
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw payloadTooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** application/json or any `+json` type, parameters allowed. */
const isJsonType = (contentType: string | null) => !!contentType && /^application\/([\w.-]+\+)?json\s*(;|$)/i.test(contentType.trim());

/** A NUL character anywhere in a string of the value (PostgreSQL refuses them in text: 500 before). */
function findNul(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path || '(root)' : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNul(value[i], path ? `${path}.${i}` : String(i));
      if (found) return found;
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const found = findNul(k, path) ?? findNul(v, path ? `${path}.${k}` : k);
      if (found) return found;
    }
  }
  return null;
}

function refuseNul(value: unknown, what: string): void {
  const path = findNul(value, '');
  if (path) throw badRequest(`Invalid ${what}: ${path}: must not contain a NUL character`, [{ path, message: 'must not contain a NUL character' }]);
}

async function parseBody(req: Request, wanted: boolean): Promise<unknown> {
  if (!wanted) return undefined;
  const text = await readBody(req, getConfig().API_BODY_LIMIT);
  if (text.trim() === '') return {};
  // A body is JSON only when it says so: a text/plain one is what a cross-site form or a careless
  // client sends (issue 21.6).
  if (!isJsonType(req.headers.get('content-type'))) {
    throw new ApiError(415, 'Send the body as application/json', 'unsupported_media_type');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badRequest('Malformed JSON body');
  }
  refuseNul(parsed, 'body');
  return parsed;
}

/** A route handler for `contract`; the handler's answers are what the contract's responses describe. */
export function route<B = undefined, Q = undefined, P = undefined>(
  options: RouteContract<B, Q, P>,
  handler: (ctx: RouteContext<B, Q, P>) => Promise<unknown>,
) {
  const handle = async (req: Request, context?: NextRouteContext): Promise<Response> => {
    try {
      const actor = await authorize(req, options.auth);
      const rawParams = (await context?.params) ?? {};
      const params = validate(options.params, rawParams, 'path');
      const url = new URL(req.url);
      const rawQuery = Object.fromEntries(url.searchParams);
      refuseNul(rawQuery, 'query');
      const query = validate(options.query, rawQuery, 'query');
      const body = validate(options.body, await parseBody(req, !!options.body), 'body');
      const result = await handler({ req, body, query, params, actor });
      return result instanceof Response ? result : json(result ?? { success: true });
    } catch (err) {
      return toResponse(err);
    }
  };
  // The contract travels with the handler: the contract test checks each route file serves the
  // contract of its own path and method.
  return Object.assign(handle, { contract: options });
}

export { ApiError };

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Handlers for the methods a route file does not implement: a JSON 405 naming the allowed ones
 * (Next.js alone answers them with an empty body). Use as
 * `export const { PUT, PATCH } = otherMethods(['GET', 'POST']);`
 */
export function otherMethods(allowed: Method[]): Record<Method, () => Promise<Response>> {
  const list = allowed.join(', ');
  const handler = async () => json({ error: `Method not allowed: this endpoint accepts ${list}`, code: 'method_not_allowed' }, 405, { allow: list });
  return { GET: handler, POST: handler, PUT: handler, PATCH: handler, DELETE: handler };
}
