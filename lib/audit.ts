// Audit trail: who (user or token) did what to which target, why, and how it ended.
import type { Db } from './db/client';
import type { Actor } from './auth/roles';
import type { Prisma } from './db/generated/sqlite/client';
import { providerOf } from './db/client';
import { getConfig } from './config';

export interface AuditInput {
  actor: Actor | null;
  action: string;
  targetType?: string;
  targetId?: string | number;
  reason?: string | null;
  result: 'ok' | 'error';
  detail?: unknown;
}

export interface AuditEntry {
  id: number;
  actorType: string;
  actorName: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  reason: string | null;
  result: string;
  detail: unknown;
  createdAt: string;
  /** the target in words: a phone's number; null when unknown */
  targetLabel: string | null;
}

export async function recordAudit(db: Db, input: AuditInput): Promise<void> {
  await db.auditLog.create({
    data: {
      actorType: input.actor?.type ?? 'system',
      actorName: input.actor?.name ?? 'system',
      action: input.action,
      targetType: input.targetType ?? null,
      targetId: input.targetId === undefined ? null : String(input.targetId),
      reason: input.reason ?? null,
      result: input.result,
      detail: input.detail === undefined ? null : JSON.stringify(input.detail),
    },
  });
}

export { AUDIT_ACTIONS, type AuditAction } from './audit-actions';

/** The filters of the audit log (issue 27.5); each narrows the entries, all together. */
export interface AuditFilters {
  targetType?: string;
  targetId?: string;
  /** part of the actor's name, any case */
  actor?: string;
  /** an action name, or its first part ("session") for all of its actions */
  action?: string;
  /** part of a phone's number: entries about the phones whose number contains it */
  phone?: string;
  /** ISO 8601: entries at or after */
  from?: string;
  /** ISO 8601: entries before */
  to?: string;
}

/** Phones a number filter matches, at most this many (the filter is an id list in SQL). */
export const AUDIT_PHONE_MATCHES = 1000;

async function auditWhere(db: Db, f: AuditFilters): Promise<Prisma.AuditLogWhereInput> {
  const and: Prisma.AuditLogWhereInput[] = [];
  if (f.targetType) and.push({ targetType: f.targetType });
  if (f.targetId) and.push({ targetId: f.targetId });
  // PostgreSQL compares case-insensitively only when told; SQLite's LIKE already does (for ASCII: names and emails).
  if (f.actor) and.push({ actorName: (providerOf(getConfig().DATABASE_URL) === 'postgresql' ? { contains: f.actor, mode: 'insensitive' } : { contains: f.actor }) as Prisma.StringFilter });
  if (f.action) and.push(f.action.includes('.') ? { action: f.action } : { action: { startsWith: `${f.action}.` } });
  if (f.phone) {
    const digits = f.phone.replace(/^\+/, '');
    const phones = await db.organizationPhone.findMany({ where: { phoneJid: { contains: digits } }, select: { id: true }, take: AUDIT_PHONE_MATCHES, orderBy: { id: 'asc' } });
    and.push({ targetType: 'phone', targetId: { in: phones.map((p) => String(p.id)) } });
  }
  if (f.from) and.push({ createdAt: { gte: new Date(f.from) } });
  if (f.to) and.push({ createdAt: { lt: new Date(f.to) } });
  return and.length ? { AND: and } : {};
}

type AuditRow = Omit<AuditEntry, 'detail' | 'createdAt' | 'targetLabel'> & { detail: string | null; createdAt: Date };

/**
 * The entries with their phone targets named by number ("+77051234567"): from the phones that
 * exist, else (a phone deleted since) from the number its creation entry kept; two reads at most.
 */
async function withLabels(db: Db, rows: AuditRow[]): Promise<AuditEntry[]> {
  const ids = [...new Set(rows.filter((r) => r.targetType === 'phone' && r.targetId && /^\d{1,10}$/.test(r.targetId)).map((r) => r.targetId!))];
  const numbers = new Map<string, string>();
  const phones = ids.length ? await db.organizationPhone.findMany({ where: { id: { in: ids.map(Number) } }, select: { id: true, phoneJid: true } }) : [];
  for (const p of phones) numbers.set(String(p.id), numberOf(p.phoneJid));
  const gone = ids.filter((id) => !numbers.has(id));
  const created = gone.length ? await db.auditLog.findMany({ where: { action: 'session.create', targetType: 'phone', targetId: { in: gone } }, select: { targetId: true, detail: true } }) : [];
  for (const c of created) {
    const jid = c.detail ? (JSON.parse(c.detail) as { phoneJid?: unknown } | null)?.phoneJid : null;
    if (c.targetId && typeof jid === 'string') numbers.set(c.targetId, numberOf(jid));
  }
  return rows.map((r) => ({
    ...r,
    detail: r.detail ? JSON.parse(r.detail) : null,
    createdAt: r.createdAt.toISOString(),
    targetLabel: (r.targetType === 'phone' && r.targetId && numbers.get(r.targetId)) || null,
  }));
}

const numberOf = (jid: string) => '+' + jid.split('@')[0].split(':')[0];

/** Newest first; `before` is the id cursor from the previous page. */
export async function listAudit(db: Db, opts: { limit: number; before?: number } & AuditFilters): Promise<{ items: AuditEntry[]; nextCursor: number | null }> {
  const where = await auditWhere(db, opts);
  const rows = await db.auditLog.findMany({
    where: { ...where, ...(opts.before ? { id: { lt: opts.before } } : {}) },
    orderBy: { id: 'desc' },
    take: opts.limit + 1,
  });
  const page = rows.slice(0, opts.limit);
  return {
    items: await withLabels(db, page),
    nextCursor: rows.length > opts.limit ? page[page.length - 1].id : null,
  };
}

/** The most entries one CSV export holds (newest first); the file says when there were more. */
export const AUDIT_EXPORT_LIMIT = 10_000;

const CSV_COLUMNS = ['id', 'time', 'actorType', 'actor', 'action', 'targetType', 'targetId', 'target', 'reason', 'result', 'detail'] as const;

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote or line break. A cell a spreadsheet
 * would run as a formula (= + - @ at the start) is prefixed with an apostrophe; a plain signed
 * number (a phone's "+77051234567") is not a formula and stays as it is.
 */
export function csvCell(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text) && !/^[+-]?\d+$/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The entries as CSV, a header line first; times in UTC (ISO 8601). */
export function auditCsv(items: AuditEntry[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const a of items) {
    lines.push(
      [a.id, a.createdAt, a.actorType, a.actorName, a.action, a.targetType, a.targetId, a.targetLabel, a.reason, a.result, a.detail === null || a.detail === undefined ? '' : JSON.stringify(a.detail)]
        .map(csvCell)
        .join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}

/** The filtered log as CSV, newest first, at most AUDIT_EXPORT_LIMIT entries. */
export async function exportAuditCsv(db: Db, filters: AuditFilters): Promise<{ csv: string; count: number; truncated: boolean }> {
  const where = await auditWhere(db, filters);
  const rows = await db.auditLog.findMany({ where, orderBy: { id: 'desc' }, take: AUDIT_EXPORT_LIMIT + 1 });
  const items = await withLabels(db, rows.slice(0, AUDIT_EXPORT_LIMIT));
  return { csv: auditCsv(items), count: items.length, truncated: rows.length > AUDIT_EXPORT_LIMIT };
}
