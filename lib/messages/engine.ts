// The messages of the phones this node runs: one sender per phone (sender.ts), the server acks
// and receipts of what they sent, and what they receive. Every write goes through the session
// store, so it carries the phone's fence (a node that lost a phone writes nothing). Events go to
// the engine's event bus (stream, metrics, other nodes) without content; webhooks (with content,
// to the organization's endpoint only) through the notifier given by lib/boot/subscribers.ts.
import type { proto, WAMessage, WASocket } from '@whiskeysockets/baileys';
import type { Db } from '../db/client';
import { asDate, asNumber, rawQuery } from '../db/raw';
import type { Logger } from '../logger';
import type { EventBus } from '../sessions/events';
import type { Params, SessionStore, Statement } from '../sessions/store';
import type { RowGuard } from '../webhooks/outbox';
import type { SessionEngineEvent } from '../sessions/types';
import { inboundAddresses, inboundContent } from './inbound';
import { ackErrorCode, payloadWithoutContent, phonesToExpire, statusFromBaileys, type SendRecord } from './policy';
import { FleetSql } from '../fleet/sql';
import { PhoneSender, type QueuedMessage, type SenderSettings } from './sender';
import { MessageSql } from './sql';
import { FAILURE_TEXT, type FailureCode, type MessageKind, type OutboundStatus, type ReportedStatus } from './vocabulary';

export interface MessageEngineSettings extends SenderSettings {
  /** how often every open phone's queue is looked at, besides the wake-ups (a lost bus message, expiry) */
  pollMs: number;
  /** bodies, captions and media references older than this are deleted (MESSAGE_RETENTION_DAYS) */
  retentionMs: number;
}

export type MessageWebhookEvent = 'message.received' | 'message.status';

/**
 * Where the engine's webhooks go (the webhook outbox, given by lib/boot/subscribers.ts; the
 * phone's organization endpoint only). A received message's webhook row, and each status change's,
 * is inserted in the same fenced transaction as what it reports (prepare, then wake after the
 * commit): a crash between the write and its webhook cannot fall between them.
 */
export interface MessageNotifier {
  /** the rows that queue the webhook, inserted by the caller's transaction where `when` holds in it */
  prepare(event: MessageWebhookEvent, payload: object, phoneId: number, when: RowGuard): Promise<Statement[]>;
  /** prepared rows were committed: deliver them */
  wake(): void;
}

/** One status a message moves to: its write, and the condition under which that write changes it. */
interface StatusStep {
  status: OutboundStatus;
  statement: Statement;
  when: RowGuard;
}

export interface MessageEngineDeps {
  db: Db;
  store: SessionStore;
  bus: EventBus;
  log: Logger;
  settings: MessageEngineSettings;
  /** the phone's socket on this node while it is open, else null */
  openSocket(phoneId: number): WASocket | null;
  /** this node's phones whose socket is open */
  openPhones(): number[];
  /** the phone's owner epoch here (null outside a fleet) */
  epochOf(phoneId: number): number | null;
  phoneJidOf(phoneId: number): string | null;
  /** whether the server answered a sent message in time (the liveness probe counts it; lib/health) */
  liveness?(phoneId: number, answered: boolean): void;
}

const QUEUE_READ = 200;
/** how many chats of messages handed over here the engine remembers (status writes name them without a read) */
const CHATS_KEPT = 10_000;
const RETENTION_EVERY_MS = 3600_000;
/** the longest time between two expiry sweeps of a node */
const SWEEP_MAX_MS = 60_000;

export class MessageEngine {
  private readonly senders = new Map<number, PhoneSender>();
  private readonly sql: MessageSql;
  private readonly inboundChains = new Map<number, Promise<void>>();
  private readonly statusChains = new Map<number, Promise<void>>();
  /** phones being handed to another node: their senders hand over nothing new (forget() ends it) */
  private readonly leaving = new Set<number>();
  private notifier: MessageNotifier | null = null;
  private poller: NodeJS.Timeout | null = null;
  private retention: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  private lastSweepMs = 0;
  private readonly fleetSql: FleetSql;
  /**
   * The chat of each message this node handed to a socket lately (messageId → chatJid; the oldest
   * forgotten past CHATS_KEPT): its ack and receipts' status writes name it without reading the
   * message first. A message not here (older, another node's hand-over) is read.
   */
  private readonly chats = new Map<string, string>();

  constructor(private readonly deps: MessageEngineDeps) {
    this.sql = new MessageSql(deps.store.provider);
    this.fleetSql = new FleetSql(deps.store.provider);
  }

  setNotifier(notifier: MessageNotifier | null) {
    this.notifier = notifier;
  }

  start() {
    if (this.poller) return;
    // One query per round for the whole node: the phones with something queued.
    this.poller = setInterval(() => {
      this.sweep();
      const open = new Set(this.deps.openPhones());
      if (!open.size) return;
      void this.deps.db.message
        .findMany({ where: { direction: 'out', status: 'queued' }, distinct: ['phoneId'], select: { phoneId: true } })
        .then((rows) => {
          for (const { phoneId } of rows) if (open.has(phoneId) && !this.leaving.has(phoneId)) this.sender(phoneId).wake();
        })
        .catch((err) => this.deps.log.debug({ err }, 'message queue poll failed'));
    }, this.deps.settings.pollMs);
    this.poller.unref();
    // Once at start too: a node restarted more often than hourly still applies it.
    const retain = () => void this.applyRetention().catch((err) => this.deps.log.debug({ err }, 'message retention failed'));
    retain();
    this.retention = setInterval(retain, RETENTION_EVERY_MS);
    this.retention.unref();
  }

  /**
   * One expiry sweep at a time on this node (a slow database must not pile them up), at most every
   * tenth of the TTL and at least once a minute: an expiry is late by that much at most.
   */
  private sweep() {
    const every = Math.min(SWEEP_MAX_MS, this.deps.settings.ttlMs / 10);
    if (this.sweeping || Date.now() - this.lastSweepMs < every) return;
    this.lastSweepMs = Date.now();
    this.sweeping = this.expireUnsent()
      .then(() => {})
      .catch((err) => this.deps.log.debug({ err }, 'message expiry sweep failed'))
      .finally(() => {
        this.sweeping = null;
      });
  }

  /**
   * Fails with `expired` the messages queued longer than MESSAGE_QUEUE_TTL that were never handed
   * to a socket, also for phones no node runs (closed, connecting elsewhere, owner gone): the
   * senders only see their open phones. Which phones are this node's to expire: phonesToExpire.
   * Returns how many it failed.
   */
  async expireUnsent(now = Date.now()): Promise<number> {
    const { db } = this.deps;
    const rows = await db.message.findMany({
      where: { direction: 'out', status: 'queued', sentAt: null, createdAt: { lte: new Date(now - this.deps.settings.ttlMs) } },
      select: { phoneId: true, messageId: true },
      orderBy: { seq: 'asc' },
      take: QUEUE_READ,
    });
    if (!rows.length) return 0;
    const phoneIds = [...new Set(rows.map((r) => r.phoneId))];
    const owners = await db.phoneOwner.findMany({ where: { phoneId: { in: phoneIds } }, select: { phoneId: true, nodeId: true } });
    const live = await db.$queryRawUnsafe<{ id: string }[]>(this.fleetSql.liveNodes().sql);
    const mine = new Set(
      phonesToExpire(phoneIds, new Map(owners.map((o) => [o.phoneId, o.nodeId])), new Set(live.map((n) => n.id)), (id) => this.deps.epochOf(id) !== null),
    );
    let failed = 0;
    for (const r of rows) {
      if (!mine.has(r.phoneId)) continue;
      await this.inStatusOrder(r.phoneId, async () => {
        const step: StatusStep = {
          status: 'failed',
          statement: this.sql.expire(r.phoneId, r.messageId, this.deps.epochOf(r.phoneId)),
          when: (p) => this.sql.failsNow(p, r.phoneId, r.messageId, true),
        };
        // Nothing reached: taken by a sender, or failed by another node's sweep.
        if ((await this.writeStatus(r.phoneId, r.messageId, [step], 'expired')).length) failed += 1;
      }).catch((err) => {
        // StaleOwnerError: the phone moved to another node, which expires it now.
        this.deps.log.debug({ err, phoneId: r.phoneId }, 'expiring a queued message failed');
      });
    }
    return failed;
  }

  /**
   * Deletes content older than the retention (ids, direction, status and times stay for the
   * figures). A message still queued keeps its content: it is what will be sent (MESSAGE_QUEUE_TTL
   * may be longer than the retention); it goes once the message is sent, failed or expired.
   */
  async applyRetention(now = Date.now()): Promise<number> {
    const cutoff = new Date(now - this.deps.settings.retentionMs);
    const { count } = await this.deps.db.message.updateMany({
      where: { createdAt: { lt: cutoff }, status: { not: 'queued' }, OR: [{ body: { not: null } }, { media: { not: null } }, { mediaData: { not: null } }] },
      data: { body: null, media: null, mediaData: null },
    });
    await this.retainWebhookPayloads(cutoff);
    return count;
  }

  /**
   * The webhook records of received messages (the outbox once it is done with a delivery, and every
   * attempt) keep their content no longer than the messages: past the retention their payloads lose
   * `text` and `media` (payloadWithoutContent); the delivery history stays.
   */
  private async retainWebhookPayloads(cutoff: Date) {
    const { db } = this.deps;
    // A payload still holding content has a "text" key (null or not); a stripped one has none.
    const where = { event: 'message.received', createdAt: { lt: cutoff }, payload: { contains: '"text":' } };
    const strip = (payload: string) => {
      try {
        return JSON.stringify(payloadWithoutContent('message.received', JSON.parse(payload)));
      } catch {
        return '';
      }
    };
    for (;;) {
      const rows = await db.webhookOutbox.findMany({ where: { ...where, status: { not: 'pending' } }, select: { id: true, payload: true }, take: 500 });
      for (const r of rows) await db.webhookOutbox.update({ where: { id: r.id }, data: { payload: strip(r.payload) } });
      if (rows.length < 500) break;
    }
    for (;;) {
      const rows = await db.webhookDelivery.findMany({ where, select: { id: true, payload: true }, take: 500 });
      for (const r of rows) await db.webhookDelivery.update({ where: { id: r.id }, data: { payload: strip(r.payload) } });
      if (rows.length < 500) break;
    }
  }

  stop() {
    if (this.poller) clearInterval(this.poller);
    if (this.retention) clearInterval(this.retention);
    this.retention = null;
    this.poller = null;
    for (const s of this.senders.values()) s.stop();
    this.senders.clear();
  }

  /**
   * Waits (at most `maxMs`) until the received messages and status changes handled so far are
   * stored, for one phone or all. Baileys acknowledges a receipt or a message to WhatsApp as soon
   * as it has emitted it, before our write commits, and WhatsApp does not send an acknowledged
   * stanza again: a node that closes a socket for good (drain, hand-over) waits for these writes
   * after the socket closed, before it gives up the phone.
   */
  async flush(maxMs: number, phoneId?: number): Promise<void> {
    const chains = phoneId === undefined ? [...this.inboundChains.values(), ...this.statusChains.values()] : [this.inboundChains.get(phoneId), this.statusChains.get(phoneId)];
    let bound: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(chains), new Promise<void>((resolve) => (bound = setTimeout(resolve, maxMs)))]);
    clearTimeout(bound);
  }

  /** Waits until no sender pass runs and every inbound message so far is handled (tests). */
  async idle() {
    await Promise.all([...this.senders.values()].map((s) => s.idle()));
    await Promise.all([...this.inboundChains.values()]);
    await Promise.all([...this.statusChains.values()]);
    await this.sweeping;
  }

  private sender(phoneId: number): PhoneSender {
    let s = this.senders.get(phoneId);
    if (!s || s.stopped) {
      s = this.makeSender(phoneId);
      this.senders.set(phoneId, s);
    }
    return s;
  }

  /** A message was queued for the phone (here or on another node): send it if the phone runs here. */
  queued(phoneId: number) {
    if (this.deps.openSocket(phoneId) && !this.leaving.has(phoneId)) this.sender(phoneId).wake();
  }

  /**
   * Before this node's sockets close cleanly (drain, shutdown): every sender hands over nothing
   * new and waits (at most `maxMs`) for the ack of its message in flight, so a drain makes no
   * resend (issue 24: after SIGTERM every message arrives once).
   */
  async finishSending(maxMs: number): Promise<void> {
    for (const phoneId of this.deps.openPhones()) this.leaving.add(phoneId);
    await Promise.all([...this.senders.keys()].map((phoneId) => this.finishPhone(phoneId, maxMs)));
  }

  /**
   * Before one phone's socket closes cleanly to hand it to another node (rebalancing): as
   * finishSending, for that phone. Until forget() (or the socket opens here again) its sender
   * hands over nothing new, whatever wakes it, so the next owner sends its queue and only the
   * message whose ack did not come within `maxMs` is sent again there (under its id).
   */
  async finishPhone(phoneId: number, maxMs: number): Promise<void> {
    this.leaving.add(phoneId);
    const sender = this.senders.get(phoneId);
    if (!sender) return;
    await sender.finish(maxMs);
    if (this.senders.get(phoneId) === sender) this.senders.delete(phoneId);
  }

  /** The phone left this node (another owner, drain, deletion): its sender stops. */
  forget(phoneId: number) {
    this.leaving.delete(phoneId);
    this.senders.get(phoneId)?.stop();
    this.senders.delete(phoneId);
  }

  /** Engine events of this node's phones: the socket opened or went away, the phone was logged out. */
  onEngineEvent(e: SessionEngineEvent) {
    if (e.type !== 'state') return;
    // A socket that opens (again) here sends: a hand-over that did not happen ends with it.
    if (e.state === 'open') this.leaving.delete(e.phoneId);
    if (e.state === 'open') this.sender(e.phoneId).wake();
    else this.senders.get(e.phoneId)?.socketClosed();
    if (e.state === 'logged_out') void this.failQueued(e.phoneId, 'phone_logged_out');
  }

  /** Listens to a new socket of a phone: acks, receipts, received messages. */
  attach(phoneId: number, sock: WASocket) {
    const ws = sock.ws as unknown as { on(event: string, listener: (node: { attrs: Record<string, string> }) => void): void };
    ws.on('CB:ack,class:message', (node) => {
      const id = node.attrs.id;
      if (!id) return;
      this.senders.get(phoneId)?.ack(id, node.attrs.error ? ackErrorCode(node.attrs.error) : undefined);
    });
    sock.ev.on('messages.update', (updates) => {
      for (const { key, update } of updates) {
        if (!key.fromMe || !key.id || update.status === undefined || update.status === null) continue;
        if (update.status === 0) {
          this.senders.get(phoneId)?.ack(key.id, 'rejected');
          continue;
        }
        const status = statusFromBaileys(update.status);
        if (status) this.receipt(phoneId, key.id, status);
      }
    });
    sock.ev.on('messages.upsert', ({ messages, type }) => {
      // A receipt processed while Baileys still buffers the sent message's own upsert is merged
      // into it: the item (fromMe) carries status 3 or 4 and no messages.update follows.
      for (const msg of messages) {
        if (!msg.key.fromMe || !msg.key.id) continue;
        const status = statusFromBaileys(msg.status);
        if (status === 'delivered' || status === 'read') this.receipt(phoneId, msg.key.id, status);
      }
      // `append` is also what a message delivered from WhatsApp's offline queue comes as (a stanza
      // with `offline`: sent to the phone while it had no socket, e.g. while it moved to another
      // node): stored like a live one. Own sends (fromMe) and stubs are not messages to store.
      if (type !== 'notify' && type !== 'append') return;
      const chain = (this.inboundChains.get(phoneId) ?? Promise.resolve()).then(async () => {
        // One after another: in order per chat, and each stored before its webhook is queued.
        for (const msg of messages) await this.receive(phoneId, msg).catch((err) => this.writeFailed(err, phoneId));
      });
      this.inboundChains.set(phoneId, chain);
    });
  }

  /** The server's ack or a contact's receipt of a message this phone sent. */
  private receipt(phoneId: number, messageId: string, status: ReportedStatus) {
    // A receipt implies the server had the message: it acknowledges the one in flight too.
    this.senders.get(phoneId)?.ack(messageId);
    void this.setStatus(phoneId, messageId, status).catch((err) => this.writeFailed(err, phoneId));
  }

  /**
   * The content of a message this phone sent, for Baileys to send it again when a contact could
   * not decrypt it (retry receipt). Text only: media is not kept once WhatsApp has it.
   */
  async storedContent(phoneId: number, messageId: string): Promise<proto.IMessage | undefined> {
    if (!messageId) return undefined;
    const row = await this.deps.db.message.findUnique({ where: { phoneId_messageId: { phoneId, messageId } }, select: { direction: true, kind: true, body: true } });
    if (!row || row.direction !== 'out' || row.kind !== 'text' || row.body === null) return undefined;
    return { conversation: row.body };
  }

  private writeFailed(err: unknown, phoneId: number) {
    this.deps.log.error({ err, phoneId }, 'a message write failed');
  }

  private makeSender(phoneId: number): PhoneSender {
    const { deps } = this;
    return new PhoneSender({
      phoneId,
      socket: () => deps.openSocket(phoneId) as never,
      liveness: (answered) => deps.liveness?.(phoneId, answered),
      queue: () => this.queue(phoneId),
      recentSends: (sinceMs) => this.recentSends(phoneId, sinceMs),
      handOver: async (messageId, chatJid) => {
        const [changed] = await deps.store.writeStatements(phoneId, [this.sql.handOver(phoneId, messageId, deps.epochOf(phoneId))]);
        if (changed > 0 && chatJid !== undefined) this.rememberChat(messageId, chatJid);
        return changed > 0;
      },
      acked: (messageId) => this.setStatus(phoneId, messageId, 'sent'),
      fail: (messageId, code) => this.fail(phoneId, messageId, code),
      settings: deps.settings,
      now: () => Date.now(),
      log: deps.log,
    });
  }

  private rememberChat(messageId: string, chatJid: string) {
    this.chats.delete(messageId);
    this.chats.set(messageId, chatJid);
    if (this.chats.size > CHATS_KEPT) this.chats.delete(this.chats.keys().next().value!);
  }

  private async queue(phoneId: number): Promise<QueuedMessage[]> {
    type Row = { messageId: string; chatJid: string; kind: string; body: string | null; media: string | null; mediaData: string | null; attempts: unknown; createdAt: unknown; sentAt: unknown };
    const rows = await rawQuery<Row>(this.deps.db, this.sql.queue(phoneId, QUEUE_READ));
    return rows.map((r) => ({
      messageId: r.messageId,
      chatJid: r.chatJid,
      kind: r.kind as MessageKind,
      body: r.body,
      media: r.media,
      mediaData: r.mediaData,
      attempts: asNumber(r.attempts),
      createdAtMs: asDate(r.createdAt)!.getTime(),
      sentAtMs: asDate(r.sentAt)?.getTime() ?? null,
    }));
  }

  /** The phone's hand-overs since `sinceMs` (index Message(phoneId, sentAt)): what its pace is read from. */
  private async recentSends(phoneId: number, sinceMs: number): Promise<SendRecord[]> {
    const rows = await this.deps.db.message.findMany({
      where: { phoneId, sentAt: { gte: new Date(sinceMs) }, direction: 'out' },
      orderBy: { sentAt: 'desc' },
      take: QUEUE_READ,
      select: { chatJid: true, sentAt: true },
    });
    return rows.map((r) => ({ chatJid: r.chatJid, sentAtMs: r.sentAt!.getTime() }));
  }

  /**
   * A phone's status changes one after another: each is stored and announced before the next is
   * written, so events and webhooks leave in the order the statuses were reached (an ack and a
   * receipt of one message arrive close together).
   */
  private inStatusOrder(phoneId: number, work: () => Promise<void>): Promise<void> {
    const next = (this.statusChains.get(phoneId) ?? Promise.resolve()).then(work);
    const tail = next.catch(() => {});
    this.statusChains.set(phoneId, tail);
    void tail.then(() => {
      if (this.statusChains.get(phoneId) === tail) this.statusChains.delete(phoneId);
    });
    return next;
  }

  /** Moves a message to `status` and through every status it implies (queued → sent → delivered → read), announcing each step. */
  private setStatus(phoneId: number, messageId: string, status: ReportedStatus) {
    return this.inStatusOrder(phoneId, async () => {
      const { steps, statements } = this.sql.advance(phoneId, messageId, status, this.deps.epochOf(phoneId));
      await this.writeStatus(
        phoneId,
        messageId,
        steps.map((step, i) => ({ status: step, statement: statements[i], when: (p: Params) => this.sql.reachesStatus(p, phoneId, messageId, step) })),
        null,
      );
    });
  }

  private fail(phoneId: number, messageId: string, code: FailureCode) {
    return this.inStatusOrder(phoneId, async () => {
      const step: StatusStep = { status: 'failed', statement: this.sql.fail(phoneId, messageId, code, this.deps.epochOf(phoneId)), when: (p) => this.sql.failsNow(p, phoneId, messageId, false) };
      await this.writeStatus(phoneId, messageId, [step], code);
    });
  }

  private async failQueued(phoneId: number, code: FailureCode) {
    const queued = await this.deps.db.message.findMany({ where: { phoneId, direction: 'out', status: 'queued' }, select: { messageId: true }, orderBy: { seq: 'asc' } });
    for (const { messageId } of queued) await this.fail(phoneId, messageId, code).catch((err) => this.writeFailed(err, phoneId));
  }

  /**
   * Writes a message's status steps in one fenced transaction, each step's webhook row inserted
   * just before it under the step's own condition (so a step that changes nothing queues nothing,
   * and a failed commit leaves neither), then announces the steps reached, in order, on the bus.
   * Returns the statuses reached.
   */
  private async writeStatus(phoneId: number, messageId: string, steps: StatusStep[], code: FailureCode | null): Promise<OutboundStatus[]> {
    // Both addresses are usually known here (the phone runs here, the message was handed over
    // here): then nothing is read before the transaction. Else (the expiry sweep, a receipt of an
    // older message) they are read.
    let phoneJid = this.deps.phoneJidOf(phoneId);
    let chatJid = this.chats.get(messageId);
    if (phoneJid === null || chatJid === undefined) {
      const [row] = await rawQuery<{ chatJid: string; phoneJid: string }>(this.deps.db, this.sql.addresses(phoneId, messageId));
      phoneJid ??= row?.phoneJid ?? '';
      chatJid ??= row?.chatJid ?? '';
    }
    const at = new Date().toISOString();
    const notifier = this.notifier;
    const statements: Statement[] = [];
    const stepAt: number[] = [];
    for (const { status, statement, when } of steps) {
      const payload = { type: 'message.status', phoneId, phoneJid, message: { id: messageId, to: chatJid, status, code, error: code ? FAILURE_TEXT[code] : null }, timestamp: at };
      if (notifier) statements.push(...(await notifier.prepare('message.status', payload, phoneId, when)));
      stepAt.push(statements.push(statement) - 1);
    }
    const counts = await this.deps.store.writeStatements(phoneId, statements);
    const reached = steps.filter((_, i) => counts[stepAt[i]] > 0).map((s) => s.status);
    // No status follows these: the chat is not needed any more.
    if (steps.some((s) => s.status === 'read' || s.status === 'failed')) this.chats.delete(messageId);
    if (reached.length && statements.length > steps.length) notifier?.wake();
    for (const status of reached) this.deps.bus.emit({ type: 'message.status', phoneId, phoneJid, messageId, chatJid, status, code, at });
    return reached;
  }

  /** The phone number Baileys 7's lid-mapping holds for a LID (6.7 has none): null if unknown. */
  private async pnForLid(phoneId: number, lid: string): Promise<string | null> {
    const sock = this.deps.openSocket(phoneId) as (WASocket & { signalRepository?: { lidMapping?: { getPNForLID(lid: string): Promise<string | null> } } }) | null;
    const pn = await sock?.signalRepository?.lidMapping?.getPNForLID(lid).catch(() => null);
    return pn ? pn.replace(/:\d+@/, '@') : null;
  }

  private async receive(phoneId: number, msg: WAMessage) {
    const content = inboundContent(msg);
    if (!content) return;
    const messageId = msg.key.id!;
    // A sender WhatsApp addresses by LID is named by its phone number where known: from the
    // message itself, else from Baileys 7's lid-mapping. A 1:1 chat is then the number's chat, the
    // one the console writes to; the LID goes along (`senderLid`).
    const addr = inboundAddresses(msg.key);
    const senderPn = addr.senderPn ?? (addr.senderLid ? await this.pnForLid(phoneId, addr.senderLid) : null);
    const direct = addr.chat === addr.sender;
    const chatJid = direct && senderPn ? senderPn : addr.chat;
    const senderJid = senderPn ?? addr.sender;
    const senderLid = addr.senderLid;
    const sentAt = msg.messageTimestamp ? new Date(Number(msg.messageTimestamp) * 1000) : new Date();
    const phoneJid = this.deps.phoneJidOf(phoneId) ?? '';
    const at = new Date().toISOString();
    const media = content.media ? (JSON.parse(content.media) as { mimetype?: string | null; fileName?: string | null; size?: number | null; reactionTo?: string | null }) : null;
    const payload = {
      type: 'message.received',
      phoneId,
      phoneJid,
      message: {
        id: messageId,
        from: chatJid,
        sender: senderJid,
        ...(senderLid ? { senderLid } : {}),
        kind: content.kind,
        text: content.body,
        ...(media && content.kind !== 'reaction' ? { media: { mimetype: media.mimetype ?? null, fileName: media.fileName ?? null, size: media.size ?? null } } : {}),
        ...(content.kind === 'reaction' ? { reactionTo: media?.reactionTo ?? null } : {}),
        sentAt: sentAt.toISOString(),
      },
      timestamp: at,
    };
    // The message and its webhook row in one fenced transaction: both or neither, so no crash
    // loses the webhook of a stored message. The webhook row goes first, guarded by "the message
    // is not stored yet" (a redelivered id queues nothing), then the message itself.
    const notifier = this.notifier;
    const hooks = notifier ? await notifier.prepare('message.received', payload, phoneId, (p) => this.sql.notStored(p, phoneId, messageId)) : [];
    const counts = await this.deps.store.writeStatements(phoneId, [
      ...hooks,
      this.sql.inbound({ phoneId, messageId, chatJid, senderJid, kind: content.kind, body: content.body, media: content.media, at: new Date() }, this.deps.epochOf(phoneId)),
    ]);
    if (!counts[counts.length - 1]) return; // the same id again: stored and announced already
    if (hooks.length) notifier?.wake();
    this.deps.bus.emit({ type: 'message.received', phoneId, phoneJid, messageId, chatJid, ...(senderLid ? { senderLid } : {}), kind: content.kind, at });
  }
}

export const DEFAULT_MESSAGE_SETTINGS: MessageEngineSettings = {
  phoneIntervalMs: 250,
  recipientIntervalMs: 1000,
  ttlMs: 24 * 3600_000,
  ackTimeoutMs: 20_000,
  maxAttempts: 5,
  pollMs: 5000,
  retentionMs: 30 * 86_400_000,
};

/** The engine's settings from the configuration (lib/config.ts). */
export function messageSettingsFromConfig(config: {
  MESSAGE_PHONE_INTERVAL_MS: number;
  MESSAGE_RECIPIENT_INTERVAL_MS: number;
  MESSAGE_QUEUE_TTL: number;
  MESSAGE_ACK_TIMEOUT_MS: number;
  MESSAGE_MAX_ATTEMPTS: number;
  MESSAGE_RETENTION_DAYS: number;
}): MessageEngineSettings {
  return {
    phoneIntervalMs: config.MESSAGE_PHONE_INTERVAL_MS,
    recipientIntervalMs: config.MESSAGE_RECIPIENT_INTERVAL_MS,
    ttlMs: config.MESSAGE_QUEUE_TTL,
    ackTimeoutMs: config.MESSAGE_ACK_TIMEOUT_MS,
    maxAttempts: config.MESSAGE_MAX_ATTEMPTS,
    pollMs: DEFAULT_MESSAGE_SETTINGS.pollMs,
    retentionMs: config.MESSAGE_RETENTION_DAYS * 86_400_000,
  };
}
