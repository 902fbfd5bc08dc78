// One phone's sender, run by the node that owns the phone: takes the phone's queue from the
// database, sends one message at a time (handed to the socket, then the server's ack stored
// before the next), in order per recipient, at the configured pace (read from the stored send
// times, so it survives a move to another node); a message handed over but
// not acknowledged (ack timeout, a crash, another node taking the phone) is sent again under its
// stored id. The decisions are policy.ts's; the effects (socket, SQL, clock) are injected.
import type { Logger } from '../logger';
import { StaleOwnerError } from '../sessions/store';
import { classifySendError, expiredItems, nextSend, paceFromSends, paceWindowMs, type PaceSettings, type QueuedItem, type SendRecord } from './policy';
import type { FailureCode, MessageKind } from './vocabulary';

export interface QueuedMessage extends QueuedItem {
  kind: MessageKind;
  body: string | null;
  /** JSON: { mimetype, fileName?, url? } */
  media: string | null;
  /** base64 of outbound media given as data */
  mediaData: string | null;
  attempts: number;
}

/** What the sender needs of a Baileys socket. */
export interface SenderSocket {
  sendMessage(jid: string, content: never, options: { messageId: string }): Promise<unknown>;
}

export interface SenderSettings extends PaceSettings {
  /** how long the server's ack may take before the message is sent again */
  ackTimeoutMs: number;
  /** attempts (the first send and resends after ack timeouts) before it fails with `timeout` */
  maxAttempts: number;
}

export interface SenderDeps {
  phoneId: number;
  /** the phone's socket while it is open, else null */
  socket(): SenderSocket | null;
  /** the phone's queued outbound messages, in stored order */
  queue(): Promise<QueuedMessage[]>;
  /** the phone's messages handed to a socket since `sinceMs` (their stored `sentAt`, any node's): the pace */
  recentSends(sinceMs: number): Promise<SendRecord[]>;
  /**
   * stores that the message is handed to the socket (fenced); false when it is no longer queued
   * (the expiry sweep of another node failed it meanwhile): then it is not sent; `chatJid`, the
   * recipient, lets the status writes that follow name it without reading the message
   */
  handOver(messageId: string, chatJid?: string): Promise<boolean>;
  /** stores the server's ack (fenced); false when the status had already moved on */
  acked(messageId: string): Promise<void>;
  /** stores a failure (fenced) */
  fail(messageId: string, code: FailureCode): Promise<void>;
  settings: SenderSettings;
  now(): number;
  log: Logger;
  /**
   * Told whether the server answered a message handed to the open socket: false when no ack came
   * within ackTimeoutMs, true for an ack (or an ack error). The liveness probe counts it like a
   * probe (lib/health: a phone that sends but gets no ack is unresponsive too).
   */
  liveness?(answered: boolean): void;
}

type AckOutcome = { ok: true } | { ok: false; code: FailureCode } | { ok: false; timeout: true };

/** The Baileys content of a stored message. */
export function messageContent(m: Pick<QueuedMessage, 'kind' | 'body' | 'media' | 'mediaData'>): Record<string, unknown> {
  if (m.kind === 'text') return { text: m.body ?? '' };
  if (m.kind === 'reaction') throw new Error('reactions are not sent through the queue');
  const media = JSON.parse(m.media ?? '{}') as { mimetype?: string; fileName?: string; url?: string };
  const source = m.mediaData !== null ? Buffer.from(m.mediaData, 'base64') : { url: media.url! };
  const content: Record<string, unknown> = { [m.kind]: source, mimetype: media.mimetype };
  if (m.body && m.kind !== 'audio') content.caption = m.body;
  if (m.kind === 'document') content.fileName = media.fileName ?? 'file';
  return content;
}

export class PhoneSender {
  private running = false;
  private again = false;
  stopped = false;
  /** draining: nothing new is handed over; the message in flight still waits for its ack */
  private finishing = false;
  private timer: NodeJS.Timeout | null = null;
  private waiter: { messageId: string; resolve(outcome: AckOutcome): void } | null = null;
  /** resolves when the current pass ends (tests) */
  private pass: Promise<void> = Promise.resolve();

  constructor(private readonly deps: SenderDeps) {}

  /** Something changed (a message queued, the socket opened): look at the queue now. */
  wake(): void {
    if (this.stopped || this.finishing) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.running = true;
    this.pass = this.run()
      .catch((err) => {
        if (err instanceof StaleOwnerError) {
          this.deps.log.warn({ phoneId: this.deps.phoneId }, 'message sender stopped: another node owns the phone now');
          this.stop();
          return;
        }
        this.deps.log.error({ err, phoneId: this.deps.phoneId }, 'message sender pass failed: trying again shortly');
        this.later(1000);
      })
      .finally(() => {
        this.running = false;
        if (this.again && !this.stopped) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** The server's ack (or a receipt, which implies it) of a message this phone sent. */
  ack(messageId: string, errorCode?: FailureCode): void {
    if (this.waiter?.messageId !== messageId) return;
    const w = this.waiter;
    this.waiter = null;
    w.resolve(errorCode ? { ok: false, code: errorCode } : { ok: true });
  }

  /** The socket went away: the message in flight stays in flight (sent again under its id). */
  socketClosed(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.resolve({ ok: false, timeout: true });
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.socketClosed();
  }

  idle(): Promise<void> {
    return this.pass;
  }

  /**
   * The phone is handed to another node cleanly (drain, shutdown): nothing new is handed over, and
   * the message in flight keeps waiting for its server ack (at most `maxMs`), so the next owner
   * does not send it again; then the sender stops.
   */
  async finish(maxMs: number): Promise<void> {
    this.finishing = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    let bound: NodeJS.Timeout | undefined;
    await Promise.race([this.pass, new Promise<void>((resolve) => (bound = setTimeout(resolve, maxMs)))]);
    clearTimeout(bound);
    this.stop();
  }

  private later(ms: number) {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.wake();
    }, ms);
    this.timer.unref?.();
  }

  private async run(): Promise<void> {
    const { deps } = this;
    for (;;) {
      if (this.stopped || this.finishing || !deps.socket()) return; // the socket's open event wakes it again
      this.again = false;
      let queue = await deps.queue();
      const now = deps.now();
      for (const m of expiredItems(queue, now, deps.settings.ttlMs)) await deps.fail(m.messageId, 'expired');
      const expired = new Set(expiredItems(queue, now, deps.settings.ttlMs).map((m) => m.messageId));
      queue = queue.filter((m) => !expired.has(m.messageId));
      // The pace from the stored sends (any owner's), so a phone that moved here keeps its pace.
      const window = paceWindowMs(deps.settings);
      const sends = queue.length && window > 0 ? await deps.recentSends(now - window) : [];
      const decision = nextSend(queue, paceFromSends(sends, now, deps.settings), now, deps.settings);
      if (decision.kind === 'idle') return;
      if (decision.kind === 'wait') return this.later(decision.ms);
      const message = queue.find((m) => m.messageId === decision.item.messageId)!;
      if (!(await this.sendOne(message))) return;
    }
  }

  /** Sends one message and waits for its ack; false when the sender must wait for a new socket. */
  private async sendOne(m: QueuedMessage): Promise<boolean> {
    const { deps } = this;
    const sock = deps.socket();
    if (!sock) return false;
    if (m.attempts >= deps.settings.maxAttempts) {
      await deps.fail(m.messageId, 'timeout');
      return true;
    }
    let content: Record<string, unknown>;
    try {
      content = messageContent(m);
    } catch {
      await deps.fail(m.messageId, 'send_failed');
      return true;
    }
    // Stores `sentAt` too: the pace of the next pass (here or on the next owner) reads it.
    if (!(await deps.handOver(m.messageId, m.chatJid))) return true;
    // Listening for the ack starts before the send: the server may answer before sendMessage returns.
    const acked = new Promise<AckOutcome>((resolve) => {
      this.waiter = { messageId: m.messageId, resolve };
    });
    try {
      await sock.sendMessage(m.chatJid, content as never, { messageId: m.messageId });
    } catch (err) {
      this.waiter = null;
      const verdict = classifySendError(err);
      deps.log.warn({ phoneId: deps.phoneId, messageId: m.messageId, err: { message: (err as Error)?.message } }, 'sending a message failed');
      if (!verdict.final) return false; // in flight: sent again under its id on the next socket
      await deps.fail(m.messageId, verdict.code);
      return true;
    }
    // The ack's deadline counts from the stanza's write, not from the hand-over: a first message to a
    // contact (devices and pre-keys fetched, a session made) on a busy node can take longer than
    // the deadline inside sendMessage, and was resent at once though the server had just got it.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<AckOutcome>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, timeout: true }), deps.settings.ackTimeoutMs);
    });
    const outcome = await Promise.race([acked, timeout]);
    clearTimeout(timer);
    if (this.waiter?.messageId === m.messageId) this.waiter = null;
    if (outcome.ok) {
      deps.liveness?.(true);
      await deps.acked(m.messageId);
      return true;
    }
    if ('code' in outcome) {
      deps.liveness?.(true);
      await deps.fail(m.messageId, outcome.code);
      return true;
    }
    // No ack in time (or the socket closed): it stays in flight and goes again under its id.
    if (deps.socket()) deps.liveness?.(false);
    deps.log.warn({ phoneId: deps.phoneId, messageId: m.messageId, attempt: m.attempts + 1 }, 'no server ack in time: the message will be sent again under its id');
    return !!deps.socket();
  }
}
