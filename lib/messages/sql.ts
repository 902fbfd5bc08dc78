// The statements the owner of a phone runs on its messages, for one dialect. They go through the
// session store (lib/sessions/store), so they carry the owner's fence like every write of the phone.
import { DIALECTS, Params, stamp, type Statement } from '../sessions/store';
import type { DbProvider } from '../db/provider';
import { statusesBefore, statusSteps } from './policy';
import type { FailureCode, MessageKind, ReportedStatus } from './vocabulary';
import { FAILURE_TEXT } from './vocabulary';

/** The column that records when a message reached a status. */
const STATUS_TIME: Record<ReportedStatus, string> = { sent: 'ackedAt', delivered: 'deliveredAt', read: 'readAt' };

export interface InboundRow {
  phoneId: number;
  messageId: string;
  chatJid: string;
  senderJid: string | null;
  kind: MessageKind;
  body: string | null;
  media: string | null;
  at: Date;
}

export class MessageSql {
  private readonly dialect;
  constructor(provider: DbProvider) {
    this.dialect = DIALECTS[provider];
  }

  private params() {
    return new Params(this.dialect);
  }

  /**
   * The phone's queued outbound messages in stored order (the sender's read before each send, run on
   * the driver: Prisma compiles every query anew, issue 24's CPU per message).
   */
  queue(phoneId: number, limit: number): Statement {
    const p = this.params();
    return {
      sql: `SELECT "messageId", "chatJid", "kind", "body", "media", "mediaData", "attempts", "createdAt", "sentAt" FROM "Message"
        WHERE "phoneId" = ${p.add(phoneId)} AND "direction" = 'out' AND "status" = 'queued' ORDER BY "seq" ASC LIMIT ${Math.floor(limit)}`,
      params: p.values,
    };
  }

  /** A message's chat and its phone's JID: what a status webhook names when the writer does not know them. */
  addresses(phoneId: number, messageId: string): Statement {
    const p = this.params();
    return {
      sql: `SELECT m."chatJid", o."phoneJid" FROM "Message" m JOIN "OrganizationPhone" o ON o."id" = m."phoneId" WHERE m."phoneId" = ${p.add(phoneId)} AND m."messageId" = ${p.add(messageId)}`,
      params: p.values,
    };
  }

  /**
   * Stores an accepted message (queued), once: a second request with the same Idempotency-Key that
   * stored first makes this insert nothing (no row returned). Not fenced: any node accepts. Run on
   * the driver (the API's one write per message; Prisma compiles each query anew, issue 24).
   */
  submit(row: { phoneId: number; messageId: string; chatJid: string; senderJid: string; kind: string; body: string | null; media: string | null; mediaData: string | null; idempotencyKey: string | null; bodyHash: string; at: Date }): Statement {
    const p = this.params();
    const given = (['phoneId', 'messageId', 'chatJid', 'senderJid', 'kind', 'body', 'media', 'mediaData', 'idempotencyKey', 'bodyHash'] as const).map((c): [string, unknown] => [c, row[c]]);
    const values: [string, unknown][] = [...given, ['direction', 'out'], ['status', 'queued'], ['createdAt', row.at], ['updatedAt', row.at]];
    return {
      sql: `INSERT INTO "Message" (${values.map(([c]) => `"${c}"`).join(', ')}) VALUES (${values.map(([, v]) => p.add(v)).join(', ')}) ON CONFLICT DO NOTHING RETURNING "seq"`,
      params: p.values,
    };
  }

  /** The message is handed to the socket (once more): it is the phone's message in flight. */
  handOver(phoneId: number, messageId: string, epoch: number | null): Statement {
    const p = this.params();
    const now = stamp();
    return {
      sql: `UPDATE "Message" SET "sentAt" = ${p.add(now)}, "attempts" = "attempts" + 1, "ownerEpoch" = ${p.add(epoch)}, "updatedAt" = ${p.add(now)}
        WHERE "phoneId" = ${p.add(phoneId)} AND "messageId" = ${p.add(messageId)} AND "direction" = 'out' AND "status" = 'queued'`,
      params: p.values,
    };
  }

  /**
   * A forward-only move to `to` with every status it implies: one statement per step (sent,
   * delivered, read up to `to`), run in order in one transaction, each changing the row only when
   * it is before that step. So a delivery receipt handled before the server's ack records the ack
   * too (`ackedAt`), and the counts say which steps happened (to announce them in order). Plain
   * typed parameters in SET only (no COALESCE over an untyped parameter, which PostgreSQL cannot
   * type).
   */
  advance(phoneId: number, messageId: string, to: ReportedStatus, epoch: number | null): { steps: ReportedStatus[]; statements: Statement[] } {
    const steps = statusSteps('queued', to);
    return { steps, statements: steps.map((s) => this.status(phoneId, messageId, s, epoch)) };
  }

  /** One forward-only status change (receipts arrive late or twice: an older one changes nothing). */
  status(phoneId: number, messageId: string, to: ReportedStatus, epoch: number | null): Statement {
    const p = this.params();
    const now = stamp();
    const sets = [`"status" = ${p.add(to)}`, `"${STATUS_TIME[to]}" = ${p.add(now)}`, `"ownerEpoch" = ${p.add(epoch)}`, `"updatedAt" = ${p.add(now)}`];
    // Once WhatsApp has it, the outbound media's bytes are not needed any more.
    sets.push(`"mediaData" = NULL`);
    // Parameters in the order they appear in the text (SQLite's `?` are positional).
    return { sql: `UPDATE "Message" SET ${sets.join(', ')} WHERE ${this.beforeStatus(p, phoneId, messageId, to)}`, params: p.values };
  }

  /** Which rows `status(…, to)` changes: the outbound message while it is before `to`. */
  private beforeStatus(p: Params, phoneId: number, messageId: string, to: ReportedStatus): string {
    const phone = p.add(phoneId);
    const id = p.add(messageId);
    const from = statusesBefore(to).map((s) => p.add(s));
    return `"phoneId" = ${phone} AND "messageId" = ${id} AND "direction" = 'out' AND "status" IN (${from.join(', ')})`;
  }

  /**
   * The condition "`status(…, to)` would change the message now", with its parameters added to `p`
   * (another statement's): guards the webhook row of that step in the same transaction.
   */
  reachesStatus(p: Params, phoneId: number, messageId: string, to: ReportedStatus): string {
    return `EXISTS (SELECT 1 FROM "Message" WHERE ${this.beforeStatus(p, phoneId, messageId, to)})`;
  }

  /** Fails one queued message (or every queued one of the phone when messageId is null). */
  fail(phoneId: number, messageId: string | null, code: FailureCode, epoch: number | null, neverHandedOver = false): Statement {
    const p = this.params();
    const now = stamp();
    const sets = `"status" = 'failed', "failureCode" = ${p.add(code)}, "failureText" = ${p.add(FAILURE_TEXT[code])}, "mediaData" = NULL, "ownerEpoch" = ${p.add(epoch)}, "updatedAt" = ${p.add(now)}`;
    return { sql: `UPDATE "Message" SET ${sets} WHERE ${this.stillQueued(p, phoneId, messageId, neverHandedOver)}`, params: p.values };
  }

  /** Which rows `fail` changes (and `expire`, with "never handed over"). */
  private stillQueued(p: Params, phoneId: number, messageId: string | null, neverHandedOver = false): string {
    const phone = p.add(phoneId);
    const which = messageId === null ? '' : ` AND "messageId" = ${p.add(messageId)}`;
    return `"phoneId" = ${phone}${which} AND "direction" = 'out' AND "status" = 'queued'${neverHandedOver ? ' AND "sentAt" IS NULL' : ''}`;
  }

  /** The condition "`fail` (or `expire`) would change the message now": guards its webhook row. */
  failsNow(p: Params, phoneId: number, messageId: string, expiring: boolean): string {
    return `EXISTS (SELECT 1 FROM "Message" WHERE ${this.stillQueued(p, phoneId, messageId, expiring)})`;
  }

  /**
   * Fails one message with `expired` when it is still queued and was never handed to a socket:
   * the sweep's compare-and-set (a message a sender took meanwhile, or that another node's sweep
   * failed, is left alone; the sender's hand-over is a compare-and-set on `queued` too).
   */
  expire(phoneId: number, messageId: string, epoch: number | null): Statement {
    return this.fail(phoneId, messageId, 'expired', epoch, true);
  }

  /**
   * The condition "this message is not stored yet", with its parameters added to `p` (another
   * statement's): guards the webhook row of a received message in the same transaction.
   */
  notStored(p: Params, phoneId: number, messageId: string): string {
    return `NOT EXISTS (SELECT 1 FROM "Message" WHERE "phoneId" = ${p.add(phoneId)} AND "messageId" = ${p.add(messageId)})`;
  }

  /** Stores a received message once per id (a redelivery of the same id changes nothing). */
  inbound(row: InboundRow, epoch: number | null): Statement {
    const p = this.params();
    const cols = ['phoneId', 'messageId', 'direction', 'chatJid', 'senderJid', 'kind', 'body', 'media', 'status', 'ownerEpoch', 'createdAt', 'updatedAt'];
    const vals = [row.phoneId, row.messageId, 'in', row.chatJid, row.senderJid, row.kind, row.body, row.media, 'received', epoch, row.at, row.at].map((v) => p.add(v));
    return {
      sql: `INSERT INTO "Message" (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${vals.join(', ')}) ON CONFLICT ("phoneId", "messageId") DO NOTHING`,
      params: p.values,
    };
  }
}
