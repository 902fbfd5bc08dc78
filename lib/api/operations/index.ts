// Every route's contract: the OpenAPI document is made from this list (lib/api/openapi.ts), and the
// contract test fails when a route file under app/api has a method that is not here (or the
// other way round). A new route: a defineRoute() in one of these files (or a new one listed
// below), and `export const GET = route(thatContract, handler)` in its route file.
import type { RouteContract } from '../contract';
import * as sessions from './sessions';
import * as messages from './messages';
import * as admin from './admin';
import * as monitoring from './monitoring';
import * as auth from './auth';
import * as health from './health';
import * as alerts from './alerts';

type AnyContract = RouteContract<unknown, unknown, unknown>;

const isContract = (v: unknown): v is AnyContract => !!v && typeof v === 'object' && 'operationId' in v && 'method' in v && 'path' in v;

/** Every contract, in the order the document lists them. */
export const ALL_ROUTES: AnyContract[] = [sessions, health, alerts, messages, admin, monitoring, auth].flatMap((m) => Object.values(m).filter(isContract));
