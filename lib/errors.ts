// Domain errors: what went wrong in the console's own terms, with a stable `code`. Use cases
// (lib/sessions-service.ts, the session manager) throw these; lib/api/errors.ts toResponse maps
// them to HTTP in one place, and pages test for them (e.g. NotFoundError → notFound()).
import { isDatabaseUnavailable } from './db/unavailable';

export abstract class DomainError extends Error {
  abstract readonly code: string;
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The thing asked for does not exist (HTTP 404). */
export class NotFoundError extends DomainError {
  readonly code: string = 'not_found';
}

/** Which conflict, for clients that act on it (HTTP 409 either way). */
export const CONFLICT_CODES = ['conflict', 'already_registered', 'not_pairing', 'not_connected', 'idempotency_conflict'] as const;
export type ConflictCode = (typeof CONFLICT_CODES)[number];

/** The request contradicts the current state (already exists, not pairing…) (HTTP 409). */
export class ConflictError extends DomainError {
  readonly code: ConflictCode;
  constructor(message: string, details?: unknown, code: ConflictCode = 'conflict') {
    super(message, details);
    this.code = code;
  }
}

/** Input that passed the schema but makes no sense to the domain (HTTP 400). */
export class InvalidInputError extends DomainError {
  readonly code: string = 'bad_request';
}

/** A dependency is down: the database, the WhatsApp service… (HTTP 503). */
export class UnavailableError extends DomainError {
  readonly code: string;
  constructor(message: string, code = 'unavailable', details?: unknown) {
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
