// Every read and write of the OrganizationPhone table the use cases, the session manager, the
// monitor and the webhooks make, behind one interface (one Prisma implementation, injected), so
// a column or a lookup changes in one place. Hand-written fenced writes of a running session stay
// in the session store (sessions/store), and list paging in phones/query.ts.
import type { Db } from './client';
import { asDate, asNumber, providerOfDb, rawQuery } from './raw';
import type { DbProvider } from './provider';
import { DIALECTS, Params, type Statement } from './sql';

/** A phone with its organization's name: what the API shows of it. */
export type PhoneRecord = {
  id: number;
  organizationId: number;
  phoneJid: string;
  label: string | null;
  status: string;
  lastConnectedAt: Date | null;
  lastCloseReason: string | null;
  lastClose: string | null;
  proxyUrl: string | null;
  uptime7d: number | null;
  engine: string;
  lid: string | null;
  /** the stored account signals, JSON (lib/sessions/account-signals.ts loadSignals) */
  accountSignals: string | null;
  organization: { name: string };
};

/** What a session needs to open its socket. */
export type PhoneConnectionSettings = { proxyUrl: string | null; engine: string; lid: string | null; accountSignals: string | null };

/** A session event as stored (`detail`: its JSON text). */
export type SessionEventRecord = { id: number; type: string; sender: string | null; count: number | null; message: string | null; detail: string | null; createdAt: Date };

export type PhoneChanges = Partial<Pick<PhoneRecord, 'label' | 'proxyUrl' | 'engine'>>;

export interface PhoneRepository {
  byId(id: number): Promise<PhoneRecord | null>;
  /** the phone with its latest `limit` events, newest first, in one statement (null: no phone) */
  withRecentEvents(id: number, limit: number): Promise<{ phone: PhoneRecord; events: SessionEventRecord[] } | null>;
  exists(id: number): Promise<boolean>;
  idByJid(phoneJid: string): Promise<number | null>;
  /** phones whose stored status is one of `statuses`, by id */
  withStatus(statuses: readonly string[]): Promise<PhoneRecord[]>;
  connectionSettings(id: number): Promise<PhoneConnectionSettings | null>;
  /** the phone's organization and its webhook endpoint (null: no phone) */
  organizationEndpoint(id: number): Promise<{ organizationId: number; webhookUrl: string | null } | null>;
  create(data: { organizationId: number; phoneJid: string; label: string | null; proxyUrl: string | null; engine: string }): Promise<{ id: number }>;
  update(id: number, changes: PhoneChanges): Promise<void>;
  delete(id: number): Promise<void>;
}

/**
 * A phone's columns with its organization's name, for hand-written reads of `"OrganizationPhone" p
 * JOIN "Organization" o` (the phone, the list page); `phoneRecordOf` reads a row of it.
 */
export const PHONE_RECORD_COLUMNS = `p."id", p."organizationId", p."phoneJid", p."label", p."status", p."lastConnectedAt", p."lastCloseReason",
  p."lastClose", p."proxyUrl", p."uptime7d", p."engine", p."lid", p."accountSignals", o."name" AS "organizationName"`;

const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
const numberOrNull = (v: unknown) => (v === null || v === undefined ? null : asNumber(v));

/** A row of PHONE_RECORD_COLUMNS (as either driver gives it) as a PhoneRecord. */
export function phoneRecordOf(r: Record<string, unknown>): PhoneRecord {
  return {
    id: asNumber(r.id),
    organizationId: asNumber(r.organizationId),
    phoneJid: String(r.phoneJid),
    label: text(r.label),
    status: String(r.status),
    lastConnectedAt: asDate(r.lastConnectedAt),
    lastCloseReason: text(r.lastCloseReason),
    lastClose: text(r.lastClose),
    proxyUrl: text(r.proxyUrl),
    uptime7d: numberOrNull(r.uptime7d),
    engine: String(r.engine),
    lid: text(r.lid),
    accountSignals: text(r.accountSignals),
    organization: { name: String(r.organizationName) },
  };
}

/**
 * The phone (PHONE_RECORD_COLUMNS) left-joined to its latest `limit` events: one row per event,
 * newest first, or one row with null event columns for a phone without events; no row without
 * the phone.
 */
function withRecentEventsStatement(provider: DbProvider, id: number, limit: number): Statement {
  const params = new Params(DIALECTS[provider]);
  const events = `SELECT "id", "type", "sender", "count", "message", "detail", "createdAt" FROM "SessionEvent"
    WHERE "phoneId" = ${params.add(id)} ORDER BY "id" DESC LIMIT ${params.add(limit)}`;
  return {
    sql: `SELECT ${PHONE_RECORD_COLUMNS}, e."id" AS "eventId", e."type" AS "eventType", e."sender" AS "eventSender", e."count" AS "eventCount",
      e."message" AS "eventMessage", e."detail" AS "eventDetail", e."createdAt" AS "eventCreatedAt"
      FROM "OrganizationPhone" p JOIN "Organization" o ON o."id" = p."organizationId"
      LEFT JOIN (${events}) e ON 1 = 1
      WHERE p."id" = ${params.add(id)} ORDER BY e."id" DESC`,
    params: params.values,
  };
}

function eventRecordOf(r: Record<string, unknown>): SessionEventRecord {
  return {
    id: asNumber(r.eventId),
    type: String(r.eventType),
    sender: text(r.eventSender),
    count: numberOrNull(r.eventCount),
    message: text(r.eventMessage),
    detail: text(r.eventDetail),
    createdAt: asDate(r.eventCreatedAt)!,
  };
}

const WITH_ORGANIZATION = { organization: { select: { name: true } } } as const;

export function prismaPhoneRepository(db: Db): PhoneRepository {
  const phones = db.organizationPhone;
  const byIdSql = `SELECT ${PHONE_RECORD_COLUMNS} FROM "OrganizationPhone" p JOIN "Organization" o ON o."id" = p."organizationId"
    WHERE p."id" = ${DIALECTS[providerOfDb(db)].param(1)}`;
  const endpointSql = `SELECT o."id" AS "organizationId", o."webhookUrl" FROM "OrganizationPhone" p JOIN "Organization" o ON o."id" = p."organizationId"
    WHERE p."id" = ${DIALECTS[providerOfDb(db)].param(1)}`;
  return {
    // One join run on the driver (lib/db/raw.ts): Prisma compiles every query anew (no
    // compiled-query cache in 6.19), raw ones included, and this is the read behind every command
    // and detail request (one phone with its organization's name: about 2 ms as Prisma raw against
    // 9–13 ms through `include`, measured on a loaded 2-core machine).
    byId: async (id) => {
      const rows = await rawQuery<Record<string, unknown>>(db, { sql: byIdSql, params: [id] });
      return rows.length ? phoneRecordOf(rows[0]) : null;
    },
    // The detail route's read (issue 28.3): the phone and its recent events in one statement.
    withRecentEvents: async (id, limit) => {
      const rows = await rawQuery<Record<string, unknown>>(db, withRecentEventsStatement(providerOfDb(db), id, limit));
      if (!rows.length) return null;
      return { phone: phoneRecordOf(rows[0]), events: rows.filter((r) => r.eventId !== null && r.eventId !== undefined).map(eventRecordOf) };
    },
    exists: async (id) => (await phones.findUnique({ where: { id }, select: { id: true } })) !== null,
    idByJid: async (phoneJid) => (await phones.findUnique({ where: { phoneJid }, select: { id: true } }))?.id ?? null,
    withStatus: (statuses) => phones.findMany({ where: { status: { in: [...statuses] } }, include: WITH_ORGANIZATION, orderBy: { id: 'asc' } }),
    connectionSettings: (id) => phones.findUnique({ where: { id }, select: { proxyUrl: true, engine: true, lid: true, accountSignals: true } }),
    // On the driver too: every status change and received message reads it (issue 24).
    organizationEndpoint: async (id) => {
      const rows = await rawQuery<{ organizationId: unknown; webhookUrl: string | null }>(db, { sql: endpointSql, params: [id] });
      return rows.length ? { organizationId: asNumber(rows[0].organizationId), webhookUrl: rows[0].webhookUrl ?? null } : null;
    },
    create: (data) => phones.create({ data, select: { id: true } }),
    update: async (id, changes) => {
      await phones.update({ where: { id }, data: changes });
    },
    delete: async (id) => {
      await phones.delete({ where: { id } });
    },
  };
}

// One repository per database handle (tests run several databases in one process).
const byDb = new WeakMap<Db, PhoneRepository>();

export function phoneRepository(db: Db): PhoneRepository {
  let repo = byDb.get(db);
  if (!repo) byDb.set(db, (repo = prismaPhoneRepository(db)));
  return repo;
}
