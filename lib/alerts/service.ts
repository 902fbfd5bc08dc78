// Use cases behind /api/alerts/* and /api/organizations/{id}/alert-recipients (the Alerts page):
// list incidents, acknowledge one, mute and unmute a phone's alerts, send a test alert, and each
// organization's own recipients. Every change is audited.
import type { Actor } from '../auth/roles';
import { recordAudit } from '../audit';
import { getDb } from '../db/client';
import { NotFoundError, UnavailableError } from '../errors';
import { getAlerter } from '../boot/subscribers';
import type { TestResult } from './alerter';
import type { AlertKind } from './policy';
import { phoneNumber } from './render';
import { IncidentStore, splitAddresses, type IncidentRow } from './store';

export interface IncidentDto {
  id: number;
  kind: AlertKind;
  state: 'open' | 'resolved';
  phoneId: number | null;
  phoneJid: string | null;
  phone: string | null;
  organizationId: number | null;
  nodeId: string | null;
  reason: string | null;
  openedAt: string;
  resolvedAt: string | null;
  notifiedAt: string | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  mutedUntil: string | null;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

function toDto(r: IncidentRow, mutes: Map<number, Date>): IncidentDto {
  return {
    id: r.id,
    kind: r.kind as AlertKind,
    state: r.openKey === null ? 'resolved' : 'open',
    phoneId: r.phoneId,
    phoneJid: r.phoneJid,
    phone: phoneNumber(r.phoneJid),
    organizationId: r.organizationId,
    nodeId: r.nodeId,
    reason: r.reason,
    openedAt: r.openedAt.toISOString(),
    resolvedAt: iso(r.resolvedAt),
    notifiedAt: iso(r.notifiedAt),
    acknowledgedAt: iso(r.acknowledgedAt),
    acknowledgedBy: r.acknowledgedBy,
    mutedUntil: r.phoneId !== null ? iso(mutes.get(r.phoneId) ?? null) : null,
  };
}

/** Phones among `phoneIds` muted now → until when. */
async function mutesOf(phoneIds: (number | null)[]): Promise<Map<number, Date>> {
  const ids = [...new Set(phoneIds.filter((id): id is number => id !== null))];
  if (!ids.length) return new Map();
  const rows = await getDb().organizationPhone.findMany({ where: { id: { in: ids }, alertsMutedUntil: { gt: new Date() } }, select: { id: true, alertsMutedUntil: true } });
  return new Map(rows.map((r) => [r.id, r.alertsMutedUntil!]));
}

export async function listIncidents(q: { limit: number; before?: number; state: 'open' | 'resolved' | 'all'; phoneId?: number }) {
  const rows = await getDb().alertIncident.findMany({
    where: {
      ...(q.before ? { id: { lt: q.before } } : {}),
      ...(q.state === 'open' ? { openKey: { not: null } } : q.state === 'resolved' ? { openKey: null } : {}),
      ...(q.phoneId !== undefined ? { phoneId: q.phoneId } : {}),
    },
    orderBy: { id: 'desc' },
    take: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  const mutes = await mutesOf(page.map((r) => r.phoneId));
  return { items: page.map((r) => toDto(r, mutes)), nextCursor: rows.length > q.limit ? page[page.length - 1].id : null };
}

/** Someone is on it: recorded once (the first acknowledgement is kept); an alert not sent yet is not sent. */
export async function acknowledgeIncident(id: number, actor: Actor | null) {
  const db = getDb();
  const by = actor?.name ?? 'system';
  const first = await new IncidentStore(db).acknowledge(id, by, new Date());
  const row = await db.alertIncident.findUnique({ where: { id } });
  if (!row) throw new NotFoundError('Incident not found');
  await recordAudit(db, { actor, action: 'alert.acknowledge', targetType: 'alert-incident', targetId: id, result: 'ok', detail: { kind: row.kind, phoneId: row.phoneId, already: !first } });
  return toDto(row, await mutesOf([row.phoneId]));
}

async function phoneOr404(phoneId: number) {
  const phone = await getDb().organizationPhone.findUnique({ where: { id: phoneId }, select: { id: true, phoneJid: true, label: true, organizationId: true, alertsMutedUntil: true } });
  if (!phone) throw new NotFoundError('Phone not found');
  return phone;
}

const mutedDto = (p: { id: number; phoneJid: string; label: string | null; organizationId: number; alertsMutedUntil: Date | null }) => ({
  phoneId: p.id,
  phoneJid: p.phoneJid,
  label: p.label,
  organizationId: p.organizationId,
  mutedUntil: p.alertsMutedUntil && p.alertsMutedUntil > new Date() ? p.alertsMutedUntil.toISOString() : null,
});

export async function listMutes() {
  const rows = await getDb().organizationPhone.findMany({
    where: { alertsMutedUntil: { gt: new Date() } },
    select: { id: true, phoneJid: true, label: true, organizationId: true, alertsMutedUntil: true },
    orderBy: { alertsMutedUntil: 'asc' },
    take: 1000,
  });
  return rows.map(mutedDto);
}

/** No alert goes out for the phone for `minutes` from now (its incidents are still recorded). */
export async function mutePhone(phoneId: number, minutes: number, actor: Actor | null) {
  await phoneOr404(phoneId);
  const db = getDb();
  const until = new Date(Date.now() + minutes * 60_000);
  const phone = await db.organizationPhone.update({ where: { id: phoneId }, data: { alertsMutedUntil: until }, select: { id: true, phoneJid: true, label: true, organizationId: true, alertsMutedUntil: true } });
  await recordAudit(db, { actor, action: 'alert.mute', targetType: 'phone', targetId: phoneId, result: 'ok', detail: { minutes, until: until.toISOString() } });
  return mutedDto(phone);
}

export async function unmutePhone(phoneId: number, actor: Actor | null) {
  const before = await phoneOr404(phoneId);
  const db = getDb();
  await db.organizationPhone.update({ where: { id: phoneId }, data: { alertsMutedUntil: null } });
  const wasMuted = !!before.alertsMutedUntil && before.alertsMutedUntil > new Date();
  await recordAudit(db, { actor, action: 'alert.unmute', targetType: 'phone', targetId: phoneId, result: 'ok', detail: { wasMuted } });
  return { success: true as const, message: wasMuted ? 'Alerts unmuted' : 'Alerts were not muted' };
}

/** A test message through every channel to the global audience or one organization's. */
export async function sendTestAlert(body: { organizationId?: number }, actor: Actor | null): Promise<TestResult> {
  const db = getDb();
  if (body.organizationId !== undefined && !(await db.organization.findUnique({ where: { id: body.organizationId }, select: { id: true } }))) {
    throw new NotFoundError('Organization not found');
  }
  const alerter = getAlerter();
  if (!alerter) throw new UnavailableError('Alerts are not running in this process yet; try again shortly', 'alerts_unavailable');
  const result = await alerter.sendTest(body.organizationId === undefined ? { scope: 'global' } : { scope: 'organization', organizationId: body.organizationId });
  const ok = Object.values(result).some((r) => r === 'sent');
  await recordAudit(db, {
    actor,
    action: 'alert.test',
    ...(body.organizationId !== undefined ? { targetType: 'organization', targetId: body.organizationId } : {}),
    result: ok ? 'ok' : 'error',
    detail: result,
  });
  return result;
}

export async function getAlertRecipients(organizationId: number) {
  const org = await getDb().organization.findUnique({ where: { id: organizationId }, select: { id: true, alertEmailTo: true } });
  if (!org) throw new NotFoundError('Organization not found');
  return { organizationId: org.id, emails: splitAddresses(org.alertEmailTo) };
}

export async function setAlertRecipients(organizationId: number, emails: string[], actor: Actor | null) {
  const db = getDb();
  await getAlertRecipients(organizationId);
  const list = [...new Set(emails.map((e) => e.trim().toLowerCase()))];
  await db.organization.update({ where: { id: organizationId }, data: { alertEmailTo: list.length ? list.join(', ') : null } });
  // The addresses are personal data: the audit says how many, not who.
  await recordAudit(db, { actor, action: 'organization.alert_recipients', targetType: 'organization', targetId: organizationId, result: 'ok', detail: { count: list.length } });
  return { organizationId, emails: list };
}
