// The sessions use cases behind the route handlers: phones from the database, live state from
// the session manager, audit for every change.
import { FALLBACK_ENGINE, isEngineName, type EngineName } from '../sessions/engines/types';
import { parseLastClose, reason } from '../sessions/reasons';
import QRCode from 'qrcode';
import { getDb } from '../db/client';
import { recordAudit } from '../audit';
import type { Actor } from '../auth/roles';
import { ConflictError, NotFoundError, UnavailableError, asDomainError } from '../errors';
import { getSessionManager } from '../sessions/manager';
import { errorStats } from '../sessions/decrypt-errors';
import { asSessionState, isRunningState, type HealthLevel, type SessionState } from '../sessions/types';
import type { SessionDto, SessionEventDto } from '../api/session-schemas';
import { getConfig } from '../config';
import { stoppedHealth } from '../health/level';
import { loadSignals } from '../sessions/account-signals';
import { maskProxyUrl, proxyHost, redactUrlPasswords } from '../sessions/proxy-url';
import { pickFromPool } from '../sessions/proxy-pool';
import { quotaRules } from '../quotas/policy';
import { reserveCreation, type QuotaReservation } from '../quotas/store';
import { queryTraffic } from '../messages/traffic';
import { phoneRepository, type PhoneRecord, type SessionEventRecord } from '../db/phone-repository';

const phones = () => phoneRepository(getDb());

/** A phone row as the API shows it (with its organization's name). */
export type PhoneRow = PhoneRecord;

const isoOrNull = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function toSessionDto(row: PhoneRow): SessionDto {
  const manager = getSessionManager();
  const snap = manager.snapshot(row.id);
  const stats = snap?.stats ?? manager.getSessionErrorStats(row.id);
  // Without a live session in this process the phone is not running, whatever the row says.
  const stored = asSessionState(row.status);
  const status: SessionState = snap ? snap.state : isRunningState(stored) ? 'idle' : stored;
  // No session here: closed, or critical when WhatsApp's stored last close banned or restricted it.
  const lastClose = snap ? null : parseLastClose(row.lastClose);
  const stored_ = { lastClose, ...stoppedHealth(lastClose?.code) };
  return {
    id: row.id,
    organizationId: row.organizationId,
    organizationName: row.organization.name,
    phoneJid: row.phoneJid,
    label: row.label,
    status,
    lastConnectedAt: snap?.lastConnectedAt ?? row.lastConnectedAt?.toISOString() ?? null,
    lastCloseReason: snap?.lastCloseReason ?? row.lastCloseReason,
    lastClose: snap ? snap.lastClose : stored_.lastClose,
    stats,
    isActive: manager.isActive(row.id),
    health: snap?.health ?? stored_.health,
    // A snapshot from a node of an older version has no reason: derived from its level then.
    // Stored, so shown also when no node runs the phone (a snapshot of an older node has none).
    accountSignals: snap?.accountSignals ?? loadSignals(row.accountSignals, Date.now()),
    healthReason: snap ? (snap.healthReason ?? (snap.health === 'healthy' ? null : snap.health === 'closed' ? 'not-running' : 'decrypt-errors')) : stored_.healthReason,
    uptime7d: row.uptime7d,
    belowObjective: row.uptime7d !== null && row.uptime7d < getConfig().UPTIME_OBJECTIVE / 100,
    proxyUrl: maskProxyUrl(row.proxyUrl),
    proxyHost: proxyHost(row.proxyUrl),
    engine: snap?.engine ?? (isEngineName(row.engine) ? row.engine : FALLBACK_ENGINE),
    lid: snap?.lid ?? row.lid,
    waVersion: snap?.waVersion ?? null,
    node: manager.ownerNode(row.id),
    ownerLeaseEndsAt: status === 'owner_lost' ? isoOrNull(manager.ownerLeaseEnd(row.id)) : null,
  };
}

const PHONE_COLUMNS = { id: true, organizationId: true, phoneJid: true, label: true, status: true, lastConnectedAt: true, lastCloseReason: true, lastClose: true, proxyUrl: true, uptime7d: true, engine: true, lid: true, accountSignals: true } as const;

// The list is read far more often than phones change (the UI, scripts polling it), and building
// it for thousands of phones is mostly database row mapping. It is rebuilt only when the phone
// and organization tables or the live sessions changed: a one-row aggregate query detects writes
// from any process (updatedAt moves, counts and ids change), the manager's version detects the rest.
type SessionList = { key: string; sessions: SessionDto[] };
let listCache: SessionList | null = null;

async function tablesFingerprint(): Promise<string> {
  const rows = await getDb().$queryRaw<Record<string, unknown>[]>`SELECT
    (SELECT COUNT(*) FROM "OrganizationPhone") AS phones,
    (SELECT MAX("updatedAt") FROM "OrganizationPhone") AS changed,
    (SELECT MAX("id") FROM "OrganizationPhone") AS "lastPhone",
    (SELECT COUNT(*) FROM "Organization") AS orgs,
    (SELECT MAX("id") FROM "Organization") AS "lastOrg"`;
  return Object.values(rows[0] ?? {})
    .map((v) => (v instanceof Date ? v.toISOString() : String(v)))
    .join('|');
}

async function allSessions(): Promise<SessionList> {
  const manager = getSessionManager();
  const version = manager.changeVersion;
  const key = `${await tablesFingerprint()}#${version}`;
  if (listCache?.key === key) return listCache;
  const db = getDb();
  // Two flat queries are much cheaper than a relation include for thousands of phones.
  const [rows, orgs] = await Promise.all([
    db.organizationPhone.findMany({ select: PHONE_COLUMNS, orderBy: { id: 'asc' } }),
    db.organization.findMany({ select: { id: true, name: true } }),
  ]);
  const names = new Map(orgs.map((o) => [o.id, o.name]));
  const sessions = rows.map((row) => toSessionDto({ ...row, organization: { name: names.get(row.organizationId) ?? '' } }));
  const list = { key, sessions };
  // Only keep it if no session changed while the rows were read.
  if (manager.changeVersion === version) listCache = list;
  return list;
}

type ListFilters = { status?: SessionState; organizationId?: number; health?: HealthLevel };

export async function listSessions(filters: ListFilters = {}): Promise<SessionDto[]> {
  const { sessions } = await allSessions();
  return sessions.filter(
    (s) =>
      (!filters.organizationId || s.organizationId === filters.organizationId) &&
      (!filters.status || s.status === filters.status) &&
      (!filters.health || s.health === filters.health),
  );
}

/**
 * One phone with its organization's name, in one statement (issue 28.3: a Prisma relation include
 * is two queries and several times the cost of this read on every phone route).
 */
async function phoneOr404(id: number): Promise<PhoneRow> {
  const row = await phones().byId(id);
  if (!row) throw new NotFoundError('Phone not found');
  return row;
}

export async function getSession(id: number): Promise<SessionDto> {
  return toSessionDto(await phoneOr404(id));
}

export async function getSessionStats(id: number) {
  // Whether the phone exists and its traffic: one statement (issue 28.3).
  const { known, traffic: byPhone } = await queryTraffic(getDb(), [id]);
  if (!known.has(id)) throw new NotFoundError('Phone not found');
  const manager = getSessionManager();
  const traffic = byPhone.get(id)!;
  return { phoneId: id, isConnected: manager.snapshot(id)?.isConnected ?? false, ...manager.getSessionErrorStats(id), traffic };
}

export async function listSessionEvents(id: number, page: { limit: number; before?: number }): Promise<{ items: SessionEventDto[]; nextCursor: number | null }> {
  await phoneOr404(id);
  const rows = await getDb().sessionEvent.findMany({
    where: { phoneId: id, ...(page.before ? { id: { lt: page.before } } : {}) },
    orderBy: { id: 'desc' },
    take: page.limit + 1,
  });
  const items = rows.slice(0, page.limit).map(toEventDto);
  return { items, nextCursor: rows.length > page.limit ? items[items.length - 1].id : null };
}

const toEventDto = (r: SessionEventRecord): SessionEventDto => ({
  id: r.id,
  type: r.type,
  sender: r.sender,
  count: r.count,
  message: r.message,
  detail: r.detail ? JSON.parse(r.detail) : null,
  createdAt: r.createdAt.toISOString(),
});

/** Events the detail shows (older ones: GET /api/sessions/:id/events). */
const DETAIL_EVENTS = 50;

/** The phone with its latest events: one statement (issue 28.3). */
export async function getSessionDetail(id: number) {
  const found = await phones().withRecentEvents(id, DETAIL_EVENTS);
  if (!found) throw new NotFoundError('Phone not found');
  return { ...toSessionDto(found.phone), events: found.events.map(toEventDto) };
}

/** Runs a change, writing its audit entry whether it succeeds or fails. */
export async function audited<T>(actor: Actor | null, action: string, phoneId: number, reason: string | null, fn: () => Promise<T>): Promise<T> {
  try {
    const result = await fn();
    await recordAudit(getDb(), { actor, action, targetType: 'phone', targetId: phoneId, reason, result: 'ok' });
    return result;
  } catch (err) {
    const domain = asDomainError(err);
    if (!(domain instanceof NotFoundError) && !(domain instanceof UnavailableError)) {
      await recordAudit(getDb(), { actor, action, targetType: 'phone', targetId: phoneId, reason, result: 'error', detail: { error: String((err as Error)?.message ?? err) } });
    }
    throw err;
  }
}

export async function restartSession(id: number, actor: Actor | null) {
  const row = await phoneOr404(id);
  await audited(actor, 'session.restart', id, null, () => getSessionManager().restartSession(id, row));
  return { success: true as const, message: 'Session restarted' };
}

export async function startSession(id: number, actor: Actor | null) {
  const row = await phoneOr404(id);
  await audited(actor, 'session.start', id, null, () => getSessionManager().start(id, row));
  return { success: true as const, message: 'Session started' };
}

export async function closeSession(id: number, reason: string | undefined, actor: Actor | null) {
  const row = await phoneOr404(id);
  const why = reason || 'Manual close';
  const { alreadyClosed } = await audited(actor, 'session.close', id, why, () => getSessionManager().forceCloseSession(id, why, row));
  return { success: true as const, message: alreadyClosed ? 'Session was already closed' : 'Session closed', alreadyClosed };
}

export async function deleteSession(id: number, actor: Actor | null) {
  const row = await phoneOr404(id);
  await audited(actor, 'session.delete', id, null, async () => {
    const manager = getSessionManager();
    await manager.logout(id, reason('phone_deleted'), row);
    await manager.remove(id);
    await phones().delete(id);
  });
  return { success: true as const, message: 'Phone deleted' };
}

// PROXY_POOL: new phones without a proxy get the least used pool entry. One assignment at a time
// in this process, so phones added concurrently still spread evenly.
let poolChain: Promise<unknown> = Promise.resolve();
let lastPoolPick: string | null = null;

function withPoolLock<T>(fn: () => Promise<T>): Promise<T> {
  const next = poolChain.then(fn, fn);
  poolChain = next.catch(() => {});
  return next;
}

async function poolUsage(pool: string[]): Promise<Map<string, number>> {
  const rows = await getDb().organizationPhone.groupBy({ by: ['proxyUrl'], where: { proxyUrl: { in: pool } }, _count: { _all: true } });
  return new Map(rows.map((r) => [r.proxyUrl!, r._count._all]));
}

/** How many phones use each PROXY_POOL entry (host:port only, never credentials). */
export async function proxyPoolUsage(): Promise<{ proxyHost: string; phones: number }[]> {
  const pool = getConfig().PROXY_POOL;
  const usage = await poolUsage(pool);
  return pool.map((p) => ({ proxyHost: proxyHost(p) ?? '', phones: usage.get(p) ?? 0 }));
}

export async function addPhone(input: { organizationId?: number; organizationName?: string; phone: string; label?: string; start: boolean; proxyUrl?: string | null; engine?: EngineName }, actor: Actor | null) {
  const db = getDb();
  const phoneJid = `${input.phone}@s.whatsapp.net`;
  let organizationId = input.organizationId;
  const existingOrg = organizationId === undefined ? await db.organization.findUnique({ where: { name: input.organizationName! }, select: { id: true } }) : null;
  if (organizationId !== undefined && !(await db.organization.findUnique({ where: { id: organizationId } }))) {
    throw new NotFoundError('Organization not found');
  }
  if ((await phones().idByJid(phoneJid)) !== null) throw new ConflictError(`Phone ${input.phone} is already registered`, undefined, 'already_registered');
  // Creation quotas (issue 21.5), fleet-wide: a place for the phone, and one for the organization
  // when this creates it. A creation that does not happen gives its places back.
  const engine = input.engine ?? getConfig().DEFAULT_ENGINE;
  const rules = quotaRules(getConfig());
  const places: QuotaReservation[] = [await reserveCreation(db, 'phones', actor, rules.phones)];
  try {
    if (organizationId === undefined) {
      const name = input.organizationName!;
      if (existingOrg) organizationId = existingOrg.id;
      else {
        // The organization's place stays taken once it exists, whatever becomes of the phone.
        const orgPlace = await reserveCreation(db, 'organizations', actor, rules.organizations);
        try {
          organizationId = (await db.organization.create({ data: { name }, select: { id: true } })).id;
          await recordAudit(db, { actor, action: 'organization.create', targetType: 'organization', targetId: organizationId, result: 'ok', detail: { name } });
        } catch (err) {
          if (organizationId !== undefined) throw err; // created; only its audit entry failed
          // A concurrent request created it first: it is read, and the place given back.
          await orgPlace.release();
          const found = await db.organization.findUnique({ where: { name }, select: { id: true } });
          if (!found) throw err;
          organizationId = found.id;
        }
      }
    }
    const orgId = organizationId;
    const create = (proxyUrl: string | null) =>
      phones().create({ organizationId: orgId, phoneJid, label: input.label ?? null, proxyUrl, engine }).then(({ id }) => ({ id, proxyUrl }), async (err) => {
        // Two requests for the same number at once: the loser gets the same 409 as a later one.
        if ((await phones().idByJid(phoneJid)) !== null) throw new ConflictError(`Phone ${input.phone} is already registered`, undefined, 'already_registered');
        // The organization was deleted in between.
        if (!(await db.organization.findUnique({ where: { id: orgId }, select: { id: true } }))) throw new NotFoundError('Organization not found');
        throw err;
      });
    const pool = getConfig().PROXY_POOL;
    const fromPool = input.proxyUrl === undefined && pool.length > 0;
    const row = fromPool
      ? await withPoolLock(async () => {
          const pick = pickFromPool(pool, await poolUsage(pool), lastPoolPick);
          const created = await create(pick);
          lastPoolPick = pick;
          return created;
        })
      : await create(input.proxyUrl ?? null);
    places.length = 0; // created: the places stay taken
    // The audit says whether a proxy was set and where it came from, never the URL.
    const proxy = row.proxyUrl ? (fromPool ? 'pool' : 'set') : 'none';
    await recordAudit(db, { actor, action: 'session.create', targetType: 'phone', targetId: row.id, result: 'ok', detail: { phoneJid, proxy, engine } });
    if (input.start) await getSessionManager().startBaileys(orgId, row.id, phoneJid);
    return getSession(row.id);
  } finally {
    for (const place of places) await place.release().catch(() => {});
  }
}

/**
 * PATCH /api/sessions/:id: label, proxy and engine. A new proxy (or none) restarts a running
 * socket through it, a new engine restarts it on that engine (same credentials); the audit names
 * the fields that changed, never the proxy URL.
 */
export async function updateSession(id: number, input: { label?: string | null; proxyUrl?: string | null; engine?: EngineName }, actor: Actor | null): Promise<SessionDto & { restarted: boolean }> {
  const row = await phoneOr404(id);
  const data: { label?: string | null; proxyUrl?: string | null; engine?: EngineName } = {};
  if (input.label !== undefined && input.label !== row.label) data.label = input.label;
  if (input.proxyUrl !== undefined && input.proxyUrl !== row.proxyUrl) data.proxyUrl = input.proxyUrl;
  if (input.engine !== undefined && input.engine !== row.engine) data.engine = input.engine;
  const changed = Object.keys(data);
  if (changed.length === 0) return { ...toSessionDto(row), restarted: false };
  const proxyChange = data.proxyUrl === undefined ? undefined : data.proxyUrl === null ? 'cleared' : row.proxyUrl ? 'changed' : 'set';
  const restarted = await auditedWithDetail(actor, 'session.update', id, { changed, ...(proxyChange ? { proxy: proxyChange } : {}), ...(data.engine ? { engine: data.engine } : {}) }, async () => {
    await phones().update(id, data);
    const manager = getSessionManager();
    // Each change restarts a running socket (both at once: on the new engine, then through the new proxy).
    let restarted = data.engine === undefined ? false : await manager.setEngine(id, data.engine);
    if (data.proxyUrl !== undefined) restarted = (await manager.setProxy(id, data.proxyUrl)) || restarted;
    return restarted;
  });
  return { ...(await getSession(id)), restarted };
}

async function auditedWithDetail<T>(actor: Actor | null, action: string, phoneId: number, detail: Record<string, unknown>, fn: () => Promise<T>): Promise<T> {
  try {
    const result = await fn();
    await recordAudit(getDb(), { actor, action, targetType: 'phone', targetId: phoneId, result: 'ok', detail });
    return result;
  } catch (err) {
    await recordAudit(getDb(), { actor, action, targetType: 'phone', targetId: phoneId, result: 'error', detail: { ...detail, error: redactUrlPasswords(String((err as Error)?.message ?? err)) } });
    throw err;
  }
}

export async function getQr(id: number): Promise<{ qr: string; svg: string }> {
  await phoneOr404(id);
  const qr = getSessionManager().currentQr(id);
  if (!qr) throw new ConflictError('The session is not pairing: no QR code to show', { status: getSessionManager().snapshot(id)?.state ?? 'idle' }, 'not_pairing');
  return { qr, svg: await QRCode.toString(qr, { type: 'svg', margin: 1, errorCorrectionLevel: 'L' }) };
}

/** Pairing by phone number: the code to type on the phone (409 when the session is not pairing). */
export async function requestPairingCode(id: number, actor: Actor | null): Promise<{ pairingCode: string; phoneJid: string }> {
  const row = await phoneOr404(id);
  const manager = getSessionManager();
  const notPairing = () => new ConflictError('The session is not pairing: start it first; a linked phone needs no code', { status: manager.snapshot(id)?.state ?? 'idle' }, 'not_pairing');
  if (manager.snapshot(id)?.state !== 'qr') throw notPairing();
  const pairingCode = await audited(actor, 'session.pairing-code', id, null, async () => {
    const code = await manager.requestPairingCode(id);
    if (!code) throw notPairing();
    return code;
  });
  return { pairingCode, phoneJid: row.phoneJid };
}

export async function listOrganizations() {
  return getDb().organization.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true } });
}

export { errorStats };
