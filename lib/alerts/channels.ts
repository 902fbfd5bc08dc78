// Where alerts go: e-mail over SMTP (nodemailer) and the webhooks (an `alert` event through the
// outbox, so retries and the deliveries page work as for every other event). Each channel is given
// an audience and one message, and says whether that audience had anyone on the channel.
import nodemailer from 'nodemailer';
import type { WebhookNotifier } from '../webhooks/outbox';
import type { AlertMessage, Audience } from './policy';
import { alertPayload, renderMail } from './render';

export type ChannelName = 'email' | 'webhook';

export interface AlertChannel {
  readonly name: ChannelName;
  /** true: sent (or stored for delivery) to that audience; false: nobody on this channel for it */
  send(audience: Audience, message: AlertMessage): Promise<boolean>;
}

/** The minimal mail transport (nodemailer's Transporter fits; tests may pass another). */
export interface MailTransport {
  sendMail(mail: { from: string; to: string[]; subject: string; text: string; html: string }): Promise<unknown>;
  close?(): void;
}

/** A nodemailer transport for SMTP_URL (smtp:// or smtps://, user and password in the URL). */
export function smtpTransport(url: string): MailTransport {
  return nodemailer.createTransport(url);
}

export class EmailChannel implements AlertChannel {
  readonly name = 'email' as const;
  constructor(
    private readonly transport: MailTransport,
    private readonly opts: {
      from: string;
      /** ALERT_EMAIL_TO: gets every alert */
      to: string[];
      /** an organization's own recipients */
      organizationTo: (organizationId: number) => Promise<string[]>;
      baseUrl: string;
    },
  ) {}

  async send(audience: Audience, message: AlertMessage): Promise<boolean> {
    const to = audience.scope === 'global' ? this.opts.to : await this.opts.organizationTo(audience.organizationId);
    if (!to.length) return false;
    const mail = renderMail(message, this.opts.baseUrl);
    await this.transport.sendMail({ from: this.opts.from, to, ...mail });
    return true;
  }
}

export class WebhookChannel implements AlertChannel {
  readonly name = 'webhook' as const;
  constructor(
    private readonly notifier: Pick<WebhookNotifier, 'sendTo'>,
    private readonly baseUrl: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  send(audience: Audience, message: AlertMessage): Promise<boolean> {
    return this.notifier.sendTo('alert', alertPayload(message, this.baseUrl, this.now()), { organizationId: audience.scope === 'global' ? null : audience.organizationId });
  }
}
