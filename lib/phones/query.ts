// The sessions list at fleet size: filtering, free-text search, sorting and paging done by the
// database (the same Prisma query on SQLite and PostgreSQL), with the live state of running
// sessions taken from the session manager exactly as toSessionDto() shows it.
//
// Status and health of a phone come from two places: a session this process runs knows its state
// and health; any other phone shows its stored status (open/connecting/qr read as idle, since no
// socket runs for it) and health "closed". The filters on status and health are therefore applied
// in this process on the rows the database filtered (organization, search) and sorted: never as
// lists of phone ids in SQL, which SQLite refuses past its bound-parameter limit (issue 21.9).
import { getDb, providerOf } from '../db/client';
import { asNumber, providerOfDb, rawQuery } from '../db/raw';
import { DIALECTS, Params } from '../db/sql';
import { PHONE_RECORD_COLUMNS, phoneRecordOf } from '../db/phone-repository';
import { getConfig } from '../config';
import { InvalidInputError } from '../errors';
import { getSessionManager } from '../sessions/manager';
import { parseLastClose } from '../sessions/reasons';
import { stoppedHealth } from '../health/level';
import { asSessionState, HEALTH_LEVELS, isRunningState, SESSION_STATES, type HealthLevel, type SessionState } from '../sessions/types';
import type { Prisma } from '../db/generated/sqlite/client';
import { toSessionDto, type PhoneRow } from './service';
import type { SessionDto } from '../api/session-schemas';
import type { SessionListQuery, SessionPage, SessionSort, SessionSummary } from '../api/list-schemas';

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

/** What the list shows for a phone: its session's state and health, or its stored status (running ones read idle, health closed). */
function shownState(id: number, stored: string, lastClose: string | null, manager: ReturnType<typeof getSessionManager>): { state: SessionState; health: HealthLevel } {
  const snap = manager.snapshot(id);
  if (snap) return { state: snap.state, health: snap.health };
  const s = asSessionState(stored);
  // A banned or restricted phone is critical, not merely closed (toSessionDto says the same).
  return { state: isRunningState(s) ? 'idle' : s, health: stoppedHealth(parseLastClose(lastClose)?.code).health };
}

/**
 * The status and health filters: they need the live sessions, which only this process knows. Sent
 * to the database as `id IN (<live phones>)` they broke SQLite at fleet size (its bound-parameter
 * limit; issue 21.9), so they are applied here, on rows the database has already filtered and sorted.
 */
function liveFilter(q: { status?: SessionState; health?: HealthLevel }): ((row: { id: number; status: string; lastClose: string | null }) => boolean) | null {
  if (!q.status && !q.health) return null;
  const manager = getSessionManager();
  return (row) => {
    const shown = shownState(row.id, row.status, row.lastClose, manager);
    return (!q.status || shown.state === q.status) && (!q.health || shown.health === q.health);
  };
}

function baseWhere(q: { organizationId?: number; q?: string }): Where {
  const and: Where[] = [];
  if (q.organizationId) and.push({ organizationId: q.organizationId });
  const search = searchWhere(q.q);
  if (search) and.push(search);
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
    case 'uptime':
      // 7-day uptime as of the last health check; phones not measured yet last either way.
      return [{ uptime7d: { sort: dir, nulls: 'last' } }, tie];
  }
}

// The phone's own columns. Its organization's name is read by a second flat query
// (withOrganizationNames): a Prisma relation select costs several times a flat read on the
// request path (issue 28.3: 9–13 ms against 2–3 ms for one phone, measured on this machine).
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
  uptime7d: true,
  engine: true,
  lid: true,
  accountSignals: true,
} as const;

type FlatRow = Omit<PhoneRow, 'organization'>;

/** The rows with their organization's name, read once for all of them. */
async function withOrganizationNames(rows: FlatRow[]): Promise<PhoneRow[]> {
  if (!rows.length) return [];
  const orgIds = [...new Set(rows.map((r) => r.organizationId))];
  const orgs = await getDb().organization.findMany({ where: { id: { in: orgIds } }, select: { id: true, name: true } });
  const names = new Map(orgs.map((o) => [o.id, o.name]));
  return rows.map((r) => ({ ...r, organization: { name: names.get(r.organizationId) ?? '' } }));
}

/** The phones of `ids` with their organization's name: one statement on the driver (at most ID_CHUNK ids). */
async function phonesByIds(ids: number[]): Promise<PhoneRow[]> {
  const db = getDb();
  const params = new Params(DIALECTS[providerOfDb(db)]);
  const sql = `SELECT ${PHONE_RECORD_COLUMNS} FROM "OrganizationPhone" p JOIN "Organization" o ON o."id" = p."organizationId"
    WHERE p."id" IN (${ids.map((id) => params.add(id)).join(', ')})`;
  return (await rawQuery<Record<string, unknown>>(db, { sql, params: params.values })).map(phoneRecordOf);
}

/** The opaque cursor: the offset of the next page (base64url). */
export const encodeCursor = (offset: number) => Buffer.from(`o:${offset}`).toString('base64url');
export function decodeCursor(cursor: string): number | null {
  const m = /^o:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? Number(m[1]) : null;
}

// The ORDER BY of each sort, as orderFor() states it for Prisma (ties by id, nulls last where a column has them).
const SQL_ORDER: Record<SessionSort['field'], (dir: string) => string> = {
  id: (d) => `p."id" ${d}`,
  phone: (d) => `p."phoneJid" ${d}, p."id" ${d}`,
  label: (d) => `p."label" ${d} NULLS LAST, p."id" ${d}`,
  organization: (d) => `o."name" ${d}, p."id" ${d}`,
  status: (d) => `p."status" ${d}, p."id" ${d}`,
  lastConnectedAt: (d) => `p."lastConnectedAt" ${d} NULLS LAST, p."id" ${d}`,
  createdAt: (d) => `p."createdAt" ${d}, p."id" ${d}`,
  uptime: (d) => `p."uptime7d" ${d} NULLS LAST, p."id" ${d}`,
};

/** `SELECT <columns>` of the phones with their organization, filtered by organization only (no search), in the sort's order. */
function plainSelect(params: Params, q: SessionListQuery, columns: string): string {
  const where = q.organizationId ? `WHERE p."organizationId" = ${params.add(q.organizationId)}` : '';
  return `SELECT ${columns} FROM "OrganizationPhone" p JOIN "Organization" o ON o."id" = p."organizationId" ${where}
    ORDER BY ${SQL_ORDER[q.sort?.field ?? 'id'](q.sort?.dir === 'desc' ? 'DESC' : 'ASC')}`;
}

/**
 * A page without search or live filters (what the console and scripts ask for most): its rows
 * with their organization's name and the total in one statement on the driver (issue 28.3). Only a
 * page past the end, which has no row to carry the total, counts again.
 */
async function plainPage(q: SessionListQuery, offset: number, limit: number): Promise<{ total: number; rows: PhoneRow[] }> {
  const db = getDb();
  const provider = providerOfDb(db);
  const countSql = (params: Params) =>
    `SELECT COUNT(*) AS "total" FROM "OrganizationPhone" p ${q.organizationId ? `WHERE p."organizationId" = ${params.add(q.organizationId)}` : ''}`;
  const params = new Params(DIALECTS[provider]);
  // Placeholders in the order they appear: the count's, the filter's, then LIMIT and OFFSET.
  const columns = `${PHONE_RECORD_COLUMNS}, (${countSql(params)}) AS "total"`;
  const sql = `${plainSelect(params, q, columns)} LIMIT ${params.add(limit)} OFFSET ${params.add(offset)}`;
  const found = await rawQuery<Record<string, unknown>>(db, { sql, params: params.values });
  if (found.length) return { total: asNumber(found[0].total), rows: found.map(phoneRecordOf) };
  if (offset === 0) return { total: 0, rows: [] };
  const countParams = new Params(DIALECTS[provider]);
  const [{ total }] = await rawQuery<{ total: unknown }>(db, { sql: countSql(countParams), params: countParams.values });
  return { total: asNumber(total), rows: [] };
}

/** The ids in list order with what the live filters need: on the driver without search, else through Prisma. */
async function matchingIds(q: SessionListQuery): Promise<{ id: number; status: string; lastClose: string | null }[]> {
  const db = getDb();
  if (searchWhere(q.q)) return db.organizationPhone.findMany({ where: baseWhere(q), orderBy: orderFor(q.sort), select: { id: true, status: true, lastClose: true } });
  const params = new Params(DIALECTS[providerOfDb(db)]);
  const rows = await rawQuery<Record<string, unknown>>(db, { sql: plainSelect(params, q, 'p."id", p."status", p."lastClose"'), params: params.values });
  return rows.map((r) => ({ id: asNumber(r.id), status: String(r.status), lastClose: r.lastClose === null || r.lastClose === undefined ? null : String(r.lastClose) }));
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
  const where = baseWhere(q);
  const orderBy = orderFor(q.sort);
  const db = getDb();
  const keep = liveFilter(q);
  let total: number;
  let rows: PhoneRow[];
  if (keep) {
    // The ids in list order (one narrow read), filtered here; then the page's rows (at most `limit` ids).
    const ids = (await db.organizationPhone.findMany({ where, orderBy, select: { id: true, status: true, lastClose: true } })).filter(keep).map((r) => r.id);
    total = ids.length;
    const pageIds = ids.slice(offset, offset + limit);
    const byId = new Map((pageIds.length ? await db.organizationPhone.findMany({ where: { id: { in: pageIds } }, select: SELECT }) : []).map((r) => [r.id, r]));
    rows = await withOrganizationNames(pageIds.map((id) => byId.get(id)).filter((r): r is FlatRow => r !== undefined));
  } else if (!searchWhere(q.q)) {
    ({ total, rows } = await plainPage(q, offset, limit));
  } else {
    let flat: FlatRow[];
    [total, flat] = await Promise.all([db.organizationPhone.count({ where }), db.organizationPhone.findMany({ where, orderBy, skip: offset, take: limit, select: SELECT })]);
    rows = await withOrganizationNames(flat);
  }
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

/** Phones read per query while the whole list streams (well under SQLite's bound-parameter limit). */
export const STREAM_BATCH = 500;

/**
 * Every phone matching the filters (no paging), sorted, as the seed's plain JSON array, streamed
 * (issue 28.3): one narrow read of the matching ids in list order, then their rows STREAM_BATCH at
 * a time (one driver statement each), each batch written out before the next is read. The answer is never held in memory
 * whole, its first bytes leave at once, and other requests run between batches. The list is the
 * ids matched when it was asked for; a phone deleted meanwhile is left out.
 *
 * The id read happens before this resolves, so a database that is down gives the route's 503; a
 * failure later ends the response early (the client sees a cut-off array and the error is logged).
 */
export async function streamSessionsAll(q: SessionListQuery, onError: (err: unknown) => void = () => {}): Promise<ReadableStream<Uint8Array>> {
  const keep = liveFilter(q);
  const matched = await matchingIds(q);
  const ids = (keep ? matched.filter(keep) : matched).map((r) => r.id);
  const encoder = new TextEncoder();
  let at = 0;
  let written = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (at >= ids.length) {
          controller.enqueue(encoder.encode(written === 0 ? '[]' : ']'));
          controller.close();
          return;
        }
        const batch = ids.slice(at, at + STREAM_BATCH);
        at += batch.length;
        const byId = new Map((await phonesByIds(batch)).map((r) => [r.id, r]));
        let text = '';
        for (const id of batch) {
          const row = byId.get(id);
          // Gone since the id read, or no longer matching the live filter: left out.
          if (!row || (keep && !keep(row))) continue;
          text += (written++ === 0 ? '[' : ',') + JSON.stringify(toSessionDto(row));
        }
        if (text) controller.enqueue(encoder.encode(text));
      } catch (err) {
        onError(err);
        controller.error(err);
      }
    },
  });
}

/** Every phone matching the filters (no paging), sorted: the seed's plain array with q or sort. */
export async function querySessionsAll(q: SessionListQuery): Promise<SessionDto[]> {
  const rows = await withOrganizationNames(await getDb().organizationPhone.findMany({ where: baseWhere(q), orderBy: orderFor(q.sort), select: SELECT }));
  const keep = liveFilter(q);
  return (keep ? rows.filter(keep) : rows).map((r) => toSessionDto(r));
}

/** Counts per state and per health level (for the summary tiles), over the organization and search filters. */
export async function sessionSummary(q: { organizationId?: number; q?: string } = {}): Promise<SessionSummary> {
  // One narrow read of the matching phones; the live ones counted by their session (issue 21.9: no id lists in SQL).
  const rows = await getDb().organizationPhone.findMany({ where: baseWhere(q), select: { id: true, status: true, lastClose: true } });
  const byStatus = Object.fromEntries(SESSION_STATES.map((s) => [s, 0])) as Record<SessionState, number>;
  const byHealth = Object.fromEntries(HEALTH_LEVELS.map((h) => [h, 0])) as Record<HealthLevel, number>;
  const manager = getSessionManager();
  for (const row of rows) {
    const shown = shownState(row.id, row.status, row.lastClose, manager);
    byStatus[shown.state] += 1;
    byHealth[shown.health] += 1;
  }
  return { total: rows.length, byStatus, byHealth };
}
