// Audit trail: who (user or token) did what to which target, why, and how it ended.
import type { Db } from './db/client';
import type { Actor } from './auth/roles';

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

/** Newest first; `before` is the id cursor from the previous page. */
export async function listAudit(
  db: Db,
  opts: { limit: number; before?: number; targetType?: string; targetId?: string },
): Promise<{ items: AuditEntry[]; nextCursor: number | null }> {
  const rows = await db.auditLog.findMany({
    where: {
      ...(opts.before ? { id: { lt: opts.before } } : {}),
      ...(opts.targetType ? { targetType: opts.targetType } : {}),
      ...(opts.targetId ? { targetId: opts.targetId } : {}),
    },
    orderBy: { id: 'desc' },
    take: opts.limit + 1,
  });
  const page = rows.slice(0, opts.limit);
  return {
    items: page.map((r) => ({ ...r, detail: r.detail ? JSON.parse(r.detail) : null, createdAt: r.createdAt.toISOString() })),
    nextCursor: rows.length > opts.limit ? page[page.length - 1].id : null,
  };
}
