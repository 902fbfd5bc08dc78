// The incidents table (AlertIncident) and the alert settings kept on organizations and phones.
// One open incident per key is the database's rule (the unique `openKey`), so two events, two
// processes or two nodes that open the same incident make one row; resolving is one conditional
// update, so exactly one caller resolves it (and only that one sends the "resolved" notice).
import type { Db } from '../db/client';
import { chunks } from '../db/sql';
import { ALERT_KINDS, type AlertKind, type IncidentSpec, type IncidentView } from './policy';

export interface IncidentRow {
  id: number;
  openKey: string | null;
  key: string;
  kind: string;
  phoneId: number | null;
  phoneJid: string | null;
  organizationId: number | null;
  nodeId: string | null;
  reason: string | null;
  openedAt: Date;
  notifiedAt: Date | null;
  resolvedAt: Date | null;
  resolvedNotifiedAt: Date | null;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
}

const isKind = (k: string): k is AlertKind => (ALERT_KINDS as readonly string[]).includes(k);

export function incidentView(r: IncidentRow): IncidentView {
  return {
    id: r.id,
    kind: isKind(r.kind) ? r.kind : 'critical',
    phoneId: r.phoneId,
    phoneJid: r.phoneJid,
    organizationId: r.organizationId,
    nodeId: r.nodeId,
    reason: r.reason,
    openedAt: r.openedAt.toISOString(),
    resolvedAt: r.resolvedAt?.toISOString() ?? null,
  };
}

const isUniqueViolation = (err: unknown) => (err as { code?: string } | null)?.code === 'P2002';

/** Comma- or space-separated addresses → a clean list (validated at the edge). */
export function splitAddresses(value: string | null | undefined): string[] {
  return (value ?? '')
    .split(/[,;\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export class IncidentStore {
  constructor(private readonly db: Db) {}

  /** Opens the incident; null when one with this key is open already (deduplicated). */
  async open(spec: IncidentSpec): Promise<IncidentRow | null> {
    try {
      return await this.db.alertIncident.create({
        data: {
          openKey: spec.key,
          key: spec.key,
          kind: spec.kind,
          phoneId: spec.phoneId,
          phoneJid: spec.phoneJid,
          organizationId: spec.organizationId,
          nodeId: spec.nodeId,
          reason: spec.reason.slice(0, 1000),
          openedAt: new Date(spec.atMs),
        },
      });
    } catch (err) {
      if (isUniqueViolation(err)) return null;
      throw err;
    }
  }

  /** Resolves the open incident with this key; null when none is open (or another caller won). */
  async resolve(key: string, atMs: number): Promise<IncidentRow | null> {
    const open = await this.db.alertIncident.findUnique({ where: { openKey: key } });
    if (!open) return null;
    const resolvedAt = new Date(Math.max(atMs, open.openedAt.getTime()));
    const { count } = await this.db.alertIncident.updateMany({ where: { id: open.id, openKey: key }, data: { openKey: null, resolvedAt } });
    return count === 1 ? { ...open, openKey: null, resolvedAt } : null;
  }

  // A storm's digest can carry more incidents than SQLite binds in one statement: in chunks.
  async markNotified(ids: number[], at: Date) {
    for (const part of chunks(ids)) await this.db.alertIncident.updateMany({ where: { id: { in: part }, notifiedAt: null }, data: { notifiedAt: at } });
  }

  async markResolvedNotified(ids: number[], at: Date) {
    for (const part of chunks(ids)) await this.db.alertIncident.updateMany({ where: { id: { in: part }, resolvedNotifiedAt: null }, data: { resolvedNotifiedAt: at } });
  }

  /** Acknowledges the incident once: true when this call did (false: already acknowledged, or no such incident). */
  async acknowledge(id: number, by: string, at: Date): Promise<boolean> {
    const { count } = await this.db.alertIncident.updateMany({ where: { id, acknowledgedAt: null }, data: { acknowledgedAt: at, acknowledgedBy: by.slice(0, 200) } });
    return count === 1;
  }

  /** Incidents among `ids` that someone acknowledged. */
  async acknowledged(ids: number[]): Promise<Set<number>> {
    if (!ids.length) return new Set();
    const rows = await this.db.alertIncident.findMany({ where: { id: { in: ids }, acknowledgedAt: { not: null } }, select: { id: true } });
    return new Set(rows.map((r) => r.id));
  }

  /** Phones among `phoneIds` whose alerts are muted at `at`. */
  async muted(phoneIds: number[], at: Date): Promise<Set<number>> {
    const out = new Set<number>();
    for (const part of chunks(phoneIds)) {
      const rows = await this.db.organizationPhone.findMany({ where: { id: { in: part }, alertsMutedUntil: { gt: at } }, select: { id: true } });
      for (const r of rows) out.add(r.id);
    }
    return out;
  }

  /** An organization's own alert recipients (e-mail). */
  async organizationEmails(organizationId: number): Promise<string[]> {
    const org = await this.db.organization.findUnique({ where: { id: organizationId }, select: { alertEmailTo: true } });
    return splitAddresses(org?.alertEmailTo);
  }
}
