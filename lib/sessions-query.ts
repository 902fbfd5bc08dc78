// The sessions list at fleet size: filtering, free-text search, sorting and paging done by the
// database (the same Prisma query on SQLite and PostgreSQL), with the live state of running
// sessions taken from the session manager exactly as toSessionDto() shows it.
//
// Status and health of a phone come from two places: a session this process runs knows its state
// and health; any other phone shows its stored status (open/connecting/qr read as idle, since no
// socket runs for it) and health "closed". The running sessions are few (hundreds) even when the
// phones are many, so the filters on status and health become `id IN (...)` lists for the running
// ones plus a condition on the stored status for the rest.
import { getDb, providerOf } from './db/client';
import { getConfig } from './config';
import { InvalidInputError } from './errors';
import { getSessionManager } from './sessions/manager';
import { asSessionState, HEALTH_LEVELS, isRunningState, RUNNING_STATES, SESSION_STATES, type HealthLevel, type SessionState } from './sessions/types';
import type { Prisma } from './db/generated/sqlite/client';
import { toSessionDto } from './sessions-service';
import type { SessionDto } from './api/session-schemas';
import type { SessionListQuery, SessionPage, SessionSort, SessionSummary } from './api/list-schemas';

type Where = Prisma.OrganizationPhoneWhereInput;


function isPostgres(): boolean {
  return providerOf(getConfig().DATABASE_URL) === 'postgresql';
}

/**
 * A case-insensitive "contains" on one column. PostgreSQL: ILIKE (Unicode aware). SQLite: LIKE is
 * case-insensitive for ASCII only, so for other letters (Cyrillic organization names) the common
 * spellings of the term are tried too: as typed, lower case, upper case, capitalized.
 */
function containsCi(term: string): Array<{ contains: string; mode?: 'insensitive' }> {
  if (isPostgres()) return [{ contains: term, mode: 'insensitive' }];
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(term)) return [{ contains: term }];
  const lower = term.toLocaleLowerCase();
  const variants = new Set([term, lower, term.toLocaleUpperCase(), lower.charAt(0).toLocaleUpperCase() + lower.slice(1)]);
  return [...variants].map((v) => ({ contains: v }));
}

/**
 * One search term matches the number, the label or the organization's name. Prisma passes `%` and
 * `_` to LIKE as wildcards, so a term is split at them and each piece must match (a search for
 * only wildcard characters matches nothing).
 */
function termWhere(term: string): Where {
  const pieces = term.split(/[%_\\]+/).filter(Boolean);
  if (pieces.length === 0) return { id: { in: [] } };
  if (pieces.length > 1) return { AND: pieces.map(termWhere) };
  const or: Where[] = [];
  for (const c of containsCi(term)) {
    // Not the phone's JID: its "@s.whatsapp.net" would match letters; numbers are searched by digits.
    or.push({ label: c as Prisma.StringNullableFilter }, { organization: { name: c as Prisma.StringFilter } });
  }
  return { OR: or };
}

/** Free text: a phone number (digits with spaces, +, -, parentheses), or text found in the number, label or organization name. */
function searchWhere(q: string | undefined): Where | null {
  const text = q?.trim();
  if (!text) return null;
  if (/^[+\d\s()-]+$/.test(text) && /\d/.test(text)) {
    const digits = text.replace(/\D/g, '');
    // The number by its digits; a label or organization name containing the text as typed.
    return { OR: [{ phoneJid: { contains: digits } }, termWhere(text)] };
  }
  // The text as typed (spaces folded): "Scale B" finds the organization "Scale B", not every
  // phone with a "b" somewhere.
  return termWhere(text.replace(/\s+/g, ' '));
}

interface LiveIndex {
  all: number[];
  byState: Map<SessionState, number[]>;
  byHealth: Map<HealthLevel, number[]>;
}

function liveIndex(): LiveIndex {
  const snaps = getSessionManager().snapshots();
  const byState = new Map<SessionState, number[]>();
  const byHealth = new Map<HealthLevel, number[]>();
  const add = <K>(map: Map<K, number[]>, key: K, id: number) => {
    const ids = map.get(key);
    if (ids) ids.push(id);
    else map.set(key, [id]);
  };
  for (const s of snaps) {
    add(byState, s.state, s.phoneId);
    add(byHealth, s.health, s.phoneId);
  }
  return { all: snaps.map((s) => s.phoneId), byState, byHealth };
}

const notLive = (live: LiveIndex): Where => (live.all.length ? { id: { notIn: live.all } } : {});

function statusWhere(status: SessionState, live: LiveIndex): Where {
  const liveMatch = live.byState.get(status) ?? [];
  let stored: Where | null;
  if (status === 'idle') stored = { status: { in: ['idle', ...RUNNING_STATES] } };
  else if (isRunningState(status)) stored = null;
  else stored = { status };
  const or: Where[] = [];
  if (liveMatch.length) or.push({ id: { in: liveMatch } });
  if (stored) or.push({ AND: [notLive(live), stored] });
  return or.length ? { OR: or } : { id: { in: [] } };
}

function healthWhere(health: HealthLevel, live: LiveIndex): Where {
  const liveMatch = live.byHealth.get(health) ?? [];
  const or: Where[] = [];
  if (liveMatch.length) or.push({ id: { in: liveMatch } });
  if (health === 'closed') or.push(notLive(live));
  return or.length ? { OR: or } : { id: { in: [] } };
}

function baseWhere(q: { organizationId?: number; q?: string }): Where[] {
  const and: Where[] = [];
  if (q.organizationId) and.push({ organizationId: q.organizationId });
  const search = searchWhere(q.q);
  if (search) and.push(search);
  return and;
}

function whereFor(q: SessionListQuery): Where {
  const and = baseWhere(q);
  // Only the state and health filters need the live sessions (indexing them costs per request).
  if (q.status || q.health) {
    const live = liveIndex();
    if (q.status) and.push(statusWhere(q.status, live));
    if (q.health) and.push(healthWhere(q.health, live));
  }
  return and.length ? { AND: and } : {};
}

function orderFor(sort: SessionSort | undefined): Prisma.OrganizationPhoneOrderByWithRelationInput[] {
  const dir = sort?.dir ?? 'asc';
  const tie = { id: dir } as const;
  switch (sort?.field) {
    case undefined:
    case 'id':
      return [{ id: dir }];
    case 'phone':
      return [{ phoneJid: dir }, tie];
    case 'label':
      return [{ label: { sort: dir, nulls: 'last' } }, tie];
    case 'organization':
      return [{ organization: { name: dir } }, tie];
    case 'status':
      return [{ status: dir }, tie];
    case 'lastConnectedAt':
      return [{ lastConnectedAt: { sort: dir, nulls: 'last' } }, tie];
    case 'createdAt':
      return [{ createdAt: dir }, tie];
  }
}

const SELECT = {
  id: true,
  organizationId: true,
  phoneJid: true,
  label: true,
  status: true,
  lastConnectedAt: true,
  lastCloseReason: true,
  lastClose: true,
  proxyUrl: true,
  organization: { select: { name: true } },
} as const;

/** The opaque cursor: the offset of the next page (base64url). */
export const encodeCursor = (offset: number) => Buffer.from(`o:${offset}`).toString('base64url');
export function decodeCursor(cursor: string): number | null {
  const m = /^o:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? Number(m[1]) : null;
}

/** One page of phones with the total matching the filters. */
export async function querySessionsPage(q: SessionListQuery): Promise<SessionPage> {
  const limit = q.limit ?? 50;
  let offset = 0;
  if (q.cursor !== undefined) {
    const o = decodeCursor(q.cursor);
    if (o === null) throw new InvalidInputError('Invalid query: cursor: not a value from nextCursor', [{ path: 'cursor', message: 'not a value from nextCursor' }]);
    offset = o;
  } else if (q.page !== undefined) offset = (q.page - 1) * limit;
  const where = whereFor(q);
  const db = getDb();
  const [total, rows] = await Promise.all([
    db.organizationPhone.count({ where }),
    db.organizationPhone.findMany({ where, orderBy: orderFor(q.sort), skip: offset, take: limit, select: SELECT }),
  ]);
  const items = rows.map((r) => toSessionDto(r));
  const next = offset + rows.length;
  return {
    items,
    total,
    limit,
    page: Math.floor(offset / limit) + 1,
    pageCount: Math.max(1, Math.ceil(total / limit)),
    nextCursor: next < total && rows.length > 0 ? encodeCursor(next) : null,
  };
}

/** Every phone matching the filters (no paging), sorted: the seed's plain array with q or sort. */
export async function querySessionsAll(q: SessionListQuery): Promise<SessionDto[]> {
  const rows = await getDb().organizationPhone.findMany({ where: whereFor(q), orderBy: orderFor(q.sort), select: SELECT });
  return rows.map((r) => toSessionDto(r));
}

/** Counts per state and per health level (for the summary tiles), over the organization and search filters. */
export async function sessionSummary(q: { organizationId?: number; q?: string } = {}): Promise<SessionSummary> {
  const live = liveIndex();
  const base = baseWhere(q);
  const db = getDb();
  const [stored, liveRows] = await Promise.all([
    db.organizationPhone.groupBy({ by: ['status'], where: { AND: [...base, notLive(live)] }, _count: { _all: true } }),
    live.all.length ? db.organizationPhone.findMany({ where: { AND: [...base, { id: { in: live.all } }] }, select: { id: true } }) : Promise.resolve([]),
  ]);
  const byStatus = Object.fromEntries(SESSION_STATES.map((s) => [s, 0])) as Record<SessionState, number>;
  const byHealth = Object.fromEntries(HEALTH_LEVELS.map((h) => [h, 0])) as Record<HealthLevel, number>;
  let total = 0;
  for (const g of stored) {
    const n = g._count._all;
    const s = asSessionState(g.status);
    byStatus[isRunningState(s) ? 'idle' : s] += n;
    byHealth.closed += n;
    total += n;
  }
  const manager = getSessionManager();
  for (const { id } of liveRows) {
    const snap = manager.snapshot(id);
    if (!snap) continue;
    byStatus[snap.state] += 1;
    byHealth[snap.health] += 1;
    total += 1;
  }
  return { total, byStatus, byHealth };
}
