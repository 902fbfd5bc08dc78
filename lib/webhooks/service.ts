// Use cases behind /api/webhooks/* and /api/organizations/{id}/webhook: the delivery outbox for
// scripts and the deliveries page, and each organization's own endpoint (secret write-only).
import type { Actor } from '../auth/roles';
import { recordAudit } from '../audit';
import { getDb } from '../db/client';
import { ConflictError, NotFoundError } from '../errors';
import { getWebhookNotifier } from '../boot/subscribers';
import { newDeliveryId, requeueDelivery } from './outbox';
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

/** ERROR_WEBHOOK_URL as the webhooks page shows it (masked: displayUrl), or null when it is not set. */
export function errorWebhookEndpoint(): { url: string; hasSecret: boolean } | null {
  const { ERROR_WEBHOOK_URL, ERROR_WEBHOOK_SECRET } = getConfig();
  return ERROR_WEBHOOK_URL ? { url: displayUrl(ERROR_WEBHOOK_URL), hasSecret: !!ERROR_WEBHOOK_SECRET } : null;
}

/** What the rows' pages name besides the row: organizations by id, phones (a payload with only phoneId, the seed's warning) by id. */
interface Names {
  organizations: Map<number, string>;
  phones: Map<number, string>;
}

const jidNumber = (jid: string) => `+${jid.split('@')[0].split(':')[0]}`;
const payloadOf = (r: { payload: string }): { phoneJid?: unknown; phoneId?: unknown } => {
  try {
    const p = JSON.parse(r.payload);
    return p && typeof p === 'object' ? p : {};
  } catch {
    return {};
  }
};

/** The phone a delivery is about, as +number: its payload's phoneJid, else its phoneId's number (tests and alerts have none). */
function phoneOfPayload(payload: { phoneJid?: unknown; phoneId?: unknown }, phones: Map<number, string>): string | null {
  if (typeof payload.phoneJid === 'string' && payload.phoneJid.includes('@')) return jidNumber(payload.phoneJid);
  return typeof payload.phoneId === 'number' ? (phones.get(payload.phoneId) ?? null) : null;
}

/** The organizations the rows were sent to and the phones their payloads name by id only. */
async function namesOf(rows: { organizationId: number | null; payload: string }[]): Promise<Names> {
  const db = getDb();
  const orgIds = [...new Set(rows.map((r) => r.organizationId).filter((id): id is number => id !== null))];
  const phoneIds = [...new Set(rows.map(payloadOf).filter((p) => typeof p.phoneJid !== 'string' && typeof p.phoneId === 'number').map((p) => p.phoneId as number))];
  const [orgs, phones] = await Promise.all([
    orgIds.length ? db.organization.findMany({ where: { id: { in: orgIds } }, select: { id: true, name: true } }) : [],
    phoneIds.length ? db.organizationPhone.findMany({ where: { id: { in: phoneIds } }, select: { id: true, phoneJid: true } }) : [],
  ]);
  return { organizations: new Map(orgs.map((o) => [o.id, o.name])), phones: new Map(phones.map((p) => [p.id, jidNumber(p.phoneJid)])) };
}

/** A delivery as the API shows it; message content (a `message.received` body or media) only with content access. */
function toDto(r: OutboxRow, names: Names, content = true) {
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
    phone: phoneOfPayload(payloadOf(r), names.phones),
    organizationName: r.organizationId === null ? null : (names.organizations.get(r.organizationId) ?? null),
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
  const names = await namesOf(page);
  return { items: page.map((r) => toDto(r, names, content)), nextCursor: rows.length > q.limit ? page[page.length - 1].id : null };
}

/** "Send again": pending now, a fresh attempt budget, the same webhook-id. */
export async function redeliver(id: number, actor: Actor | null) {
  const db = getDb();
  const notifier = getWebhookNotifier();
  // Without a worker in this process (a route served apart from the engine), another node's sends it.
  const row = notifier ? await notifier.redeliver(id) : await requeueDelivery(db, id, getConfig().WEBHOOK_MAX_ATTEMPTS);
  if (!row) throw new NotFoundError('Delivery not found');
  await recordAudit(db, { actor, action: 'webhook.redeliver', targetType: 'webhook-delivery', targetId: id, result: 'ok', detail: { event: row.event } });
  return toDto(row, await namesOf([row]));
}

/** The event a test delivery carries (receivers can tell it from real ones). */
export const TEST_EVENT = 'webhook_test';

/**
 * "Send test": one delivery to an organization's endpoint (or ERROR_WEBHOOK_URL for null), due now
 * and tried once, so the page can say within seconds whether the receiver took it. It does not
 * wait behind deliveries held for a receiver that is down: the operator asks whether it works now.
 */
export async function sendTestDelivery(organizationId: number | null, actor: Actor | null) {
  const db = getDb();
  let url = getConfig().ERROR_WEBHOOK_URL ?? null;
  if (organizationId !== null) {
    const org = await db.organization.findUnique({ where: { id: organizationId }, select: { webhookUrl: true } });
    if (!org) throw new NotFoundError('Organization not found');
    url = org.webhookUrl;
  }
  if (!url) throw new ConflictError(organizationId === null ? 'ERROR_WEBHOOK_URL is not set' : 'The organization has no webhook endpoint');
  const now = new Date();
  const payload = { type: TEST_EVENT, organizationId, message: 'A test delivery sent from the console', timestamp: now.toISOString() };
  const row = await db.webhookOutbox.create({
    data: { messageId: newDeliveryId(), event: TEST_EVENT, url, organizationId, payload: JSON.stringify(payload), maxAttempts: 1, nextAttemptAt: now },
  });
  // This process's worker sends it now; without one (a route served apart from the engine) another node's poll does.
  getWebhookNotifier()?.wake();
  await recordAudit(db, { actor, action: 'webhook.test', targetType: organizationId === null ? 'webhook' : 'organization', targetId: organizationId ?? undefined, result: 'ok', detail: { url: displayUrl(url) } });
  return toDto(row, await namesOf([row]));
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
