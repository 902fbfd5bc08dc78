// One error type with an HTTP status, and one mapper from any error to a JSON response.
import { getLogger } from '../logger';
import { asDomainError, ConflictError, InvalidInputError, NotFoundError, RateLimitedError, UnavailableError, UpstreamError, type DomainError } from '../errors';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string = 'error',
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (message: string, details?: unknown) => new ApiError(400, message, 'bad_request', details);
export const unauthorized = (message = 'Authentication required') => new ApiError(401, message, 'unauthorized');
export const forbidden = (message = 'Forbidden') => new ApiError(403, message, 'forbidden');
export const notFound = (message = 'Not found') => new ApiError(404, message, 'not_found');
export const conflict = (message: string, details?: unknown) => new ApiError(409, message, 'conflict', details);
export const payloadTooLarge = (limit: number) =>
  new ApiError(413, `Request body too large (limit ${limit} bytes)`, 'payload_too_large');
export const tooManyRequests = (message: string, retryAfterSeconds: number) =>
  new ApiError(429, message, 'too_many_requests', { retryAfterSeconds });

export function json(body: unknown, status = 200, headers?: HeadersInit): Response {
  return jsonText(JSON.stringify(body), status, headers);
}

/** A response from JSON that is already serialized. */
export function jsonText(text: string, status = 200, headers?: HeadersInit): Response {
  return new Response(text, {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

/** The one place where domain errors (lib/errors.ts) become HTTP statuses. */
const DOMAIN_STATUS: [abstract new (...args: never[]) => DomainError, number][] = [
  [NotFoundError, 404],
  [ConflictError, 409],
  [InvalidInputError, 400],
  [RateLimitedError, 429],
  [UnavailableError, 503],
  [UpstreamError, 502],
];

/** Maps any thrown value to a JSON response; never leaks a stack trace. */
export function toResponse(err: unknown): Response {
  if (err instanceof ApiError) {
    const body: Record<string, unknown> = { error: err.message, code: err.code };
    if (err.details !== undefined) body.details = err.details;
    const headers: Record<string, string> = {};
    if (err.status === 429 && typeof (err.details as { retryAfterSeconds?: number })?.retryAfterSeconds === 'number') {
      headers['retry-after'] = String((err.details as { retryAfterSeconds: number }).retryAfterSeconds);
    }
    return json(body, err.status, headers);
  }
  const domain = asDomainError(err);
  if (domain) {
    const status = DOMAIN_STATUS.find(([type]) => domain instanceof type)?.[1] ?? 500;
    if (status >= 500) getLogger().warn({ err, code: domain.code }, 'route failed: dependency unavailable');
    const body: Record<string, unknown> = { error: domain.message, code: domain.code };
    if (domain.details !== undefined) body.details = domain.details;
    const retryAfter = domain instanceof RateLimitedError ? String(domain.details.retryAfterSeconds) : status === 503 ? '5' : undefined;
    return json(body, status, retryAfter ? { 'retry-after': retryAfter } : undefined);
  }
  getLogger().error({ err }, 'unhandled error in route handler');
  return json({ error: 'Internal error', code: 'internal' }, 500);
}
