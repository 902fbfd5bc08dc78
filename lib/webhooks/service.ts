// Use cases behind /api/webhooks/* and /api/organizations/{id}/webhook: the delivery outbox for
// scripts and the deliveries page, and each organization's own endpoint (secret write-only).
import type { Actor } from '../auth/roles';
import { recordAudit } from '../audit';
import { getDb } from '../db/client';
import { NotFoundError } from '../errors';
import { getWebhookNotifier } from '../boot/subscribers';
import { requeueDelivery } from './outbox';
import { getConfig } from '../config';
import { payloadWithoutContent } from '../messages/policy';

type OutboxRow = {
  id: number;
  messageId: string;
  event: string;
  url: string;
  organizationId: number | null;
  payload: string;
  status: string;
  attempts: number;
  maxAttempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  lastStatusCode: number | null;
  deliveredAt: Date | null;
  createdAt: Date;
};

/** An endpoint as shown to readers: no credentials, no query string (tokens often live there). */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

/** A delivery as the API shows it; message content (a `message.received` body or media) only with content access. */
function toDto(r: OutboxRow, content = true) {
  let payload: unknown = r.payload;
  try {
    payload = JSON.parse(r.payload);
  } catch {
    // keep the text
  }
  if (!content) payload = payloadWithoutContent(r.event, payload);
  return {
    id: r.id,
    messageId: r.messageId,
    event: r.event,
    url: displayUrl(r.url),
    organizationId: r.organizationId,
    status: r.status as 'pending' | 'delivered' | 'failed',
    attempts: r.attempts,
    maxAttempts: r.maxAttempts,
    nextAttemptAt: r.status === 'pending' ? r.nextAttemptAt.toISOString() : null,
    lastError: r.lastError,
    lastStatusCode: r.lastStatusCode,
    deliveredAt: r.deliveredAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
    payload,
  };
}

export async function listDeliveries(q: { limit: number; before?: number; status?: string; organizationId?: number }, content: boolean) {
  const rows = await getDb().webhookOutbox.findMany({
    where: {
      ...(q.before ? { id: { lt: q.before } } : {}),
      ...(q.status ? { status: q.status } : {}),
      ...(q.organizationId !== undefined ? { organizationId: q.organizationId } : {}),
    },
    orderBy: { id: 'desc' },
    take: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  return { items: page.map((r) => toDto(r, content)), nextCursor: rows.length > q.limit ? page[page.length - 1].id : null };
}

/** "Send again": pending now, a fresh attempt budget, the same webhook-id. */
export async function redeliver(id: number, actor: Actor | null) {
  const db = getDb();
  const notifier = getWebhookNotifier();
  // Without a worker in this process (a route served apart from the engine), another node's sends it.
  const row = notifier ? await notifier.redeliver(id) : await requeueDelivery(db, id, getConfig().WEBHOOK_MAX_ATTEMPTS);
  if (!row) throw new NotFoundError('Delivery not found');
  await recordAudit(db, { actor, action: 'webhook.redeliver', targetType: 'webhook-delivery', targetId: id, result: 'ok', detail: { event: row.event } });
  return toDto(row);
}

export async function getOrganizationWebhook(id: number) {
  const org = await getDb().organization.findUnique({ where: { id }, select: { id: true, webhookUrl: true, webhookSecret: true } });
  if (!org) throw new NotFoundError('Organization not found');
  return { organizationId: org.id, url: org.webhookUrl, hasSecret: !!org.webhookSecret };
}

export async function setOrganizationWebhook(id: number, body: { url: string | null; secret?: string | null }, actor: Actor | null) {
  const db = getDb();
  if (!(await db.organization.findUnique({ where: { id }, select: { id: true } }))) throw new NotFoundError('Organization not found');
  await db.organization.update({
    where: { id },
    data: { webhookUrl: body.url, ...(body.secret !== undefined ? { webhookSecret: body.secret } : {}), ...(body.url === null ? { webhookSecret: null } : {}) },
  });
  await recordAudit(db, {
    actor,
    action: 'organization.webhook',
    targetType: 'organization',
    targetId: id,
    result: 'ok',
    detail: { url: body.url === null ? null : displayUrl(body.url), secret: body.secret === undefined ? 'kept' : body.secret === null ? 'removed' : 'set' },
  });
  return getOrganizationWebhook(id);
}
