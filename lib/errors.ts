// Domain errors: what went wrong in the console's own terms, with a stable `code`. Use cases
// (lib/phones/service.ts, the session manager) throw these; lib/api/errors.ts toResponse maps
// them to HTTP in one place, and pages test for them (e.g. NotFoundError → notFound()).
import { isDatabaseUnavailable } from './db/unavailable';

/**
 * Next compiles this module into several chunks, each with its own copy of these classes, so a
 * plain `instanceof` fails for an error made in another chunk (a 503 became a 500). Each class
 * has a brand that survives bundling (and minification); `instanceof` compares brands.
 */
const BRANDS = Symbol.for('wa-console.domain-error.brands');
type Branded = { [BRANDS]?: string[] };

export abstract class DomainError extends Error {
  static readonly brand: string = 'DomainError';
  abstract readonly code: string;
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
    const brands: string[] = [];
    for (let c: unknown = new.target; typeof c === 'function' && c !== Error; c = Object.getPrototypeOf(c)) {
      if (Object.hasOwn(c, 'brand')) brands.push((c as unknown as { brand: string }).brand);
    }
    Object.defineProperty(this, BRANDS, { value: brands, enumerable: false });
  }

  static [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    const brands = value && typeof value === 'object' ? (value as Branded)[BRANDS] : undefined;
    return !!brands && Object.hasOwn(this, 'brand') && brands.includes((this as unknown as { brand: string }).brand);
  }
}

/** The most specific brand of a domain error (its class, by a name that survives bundling), or null. */
export function domainBrand(err: unknown): string | null {
  const brands = err && typeof err === 'object' ? (err as Branded)[BRANDS] : undefined;
  return brands?.[0] ?? null;
}

/** The thing asked for does not exist (HTTP 404). */
export class NotFoundError extends DomainError {
  static readonly brand: string = 'NotFoundError';
  readonly code: string = 'not_found';
}

/** Which conflict, for clients that act on it (HTTP 409 either way). */
export const CONFLICT_CODES = ['conflict', 'already_registered', 'not_pairing', 'last_admin', 'user_exists', 'not_connected', 'idempotency_conflict', 'organization_not_empty'] as const;
export type ConflictCode = (typeof CONFLICT_CODES)[number];

/** The request contradicts the current state (already exists, not pairing…) (HTTP 409). */
export class ConflictError extends DomainError {
  static readonly brand: string = 'ConflictError';
  readonly code: ConflictCode;
  constructor(message: string, details?: unknown, code: ConflictCode = 'conflict') {
    super(message, details);
    this.code = code;
  }
}

/** Input that passed the schema but makes no sense to the domain (HTTP 400). */
export class InvalidInputError extends DomainError {
  static readonly brand: string = 'InvalidInputError';
  readonly code: string = 'bad_request';
}

/** A dependency is down: the database, the WhatsApp service… (HTTP 503). */
export class UnavailableError extends DomainError {
  static readonly brand: string = 'UnavailableError';
  readonly code: string;
  constructor(message: string, code = 'unavailable', details?: unknown) {
    super(message, details);
    this.code = code;
  }
}

/** A quota is used up (HTTP 429 with Retry-After): `details.retryAfterSeconds` says when to try again. */
export class RateLimitedError extends DomainError {
  static readonly brand: string = 'RateLimitedError';
  readonly code: string = 'too_many_requests';
  constructor(
    message: string,
    readonly details: { retryAfterSeconds: number } & Record<string, unknown>,
  ) {
    super(message, details);
  }
}

/** A service the console calls answered with an error (HTTP 502): the console is fine, its upstream is not. */
export class UpstreamError extends DomainError {
  readonly code: string;
  constructor(message: string, code = 'upstream', details?: unknown) {
    super(message, details);
    this.code = code;
  }
}

export const DATABASE_UNAVAILABLE = 'database_unavailable';

/** The domain error for any thrown value, when it is one (a database outage becomes UnavailableError). */
export function asDomainError(err: unknown): DomainError | null {
  if (err instanceof DomainError) return err;
  if (isDatabaseUnavailable(err)) return new UnavailableError('The database is unavailable; try again shortly', DATABASE_UNAVAILABLE);
  return null;
}
