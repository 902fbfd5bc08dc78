// The alerts feature, wired from the configuration: rules (policy.ts), incidents (store.ts),
// channels (channels.ts) and the alerter that runs them (alerter.ts).
import type { Config } from '../config';
import type { Db } from '../db/client';
import type { Logger } from '../logger';
import type { WebhookNotifier } from '../webhooks/outbox';
import { publicServerUrl } from '../api/openapi';
import { Alerter } from './alerter';
import { EmailChannel, smtpTransport, WebhookChannel, type AlertChannel, type MailTransport } from './channels';
import { IncidentStore } from './store';

export { Alerter } from './alerter';
export { ALERT_KINDS, type AlertKind } from './policy';

export function createAlerter(opts: {
  config: Config;
  db: Db;
  webhooks: Pick<WebhookNotifier, 'sendTo'>;
  log: Logger;
  organizationOf: (phoneId: number) => number | null;
  /** a mail transport instead of SMTP_URL's (tests) */
  transport?: MailTransport;
}): Alerter {
  const { config } = opts;
  const store = new IncidentStore(opts.db);
  const baseUrl = publicServerUrl(config);
  const channels: AlertChannel[] = [];
  const transport = opts.transport ?? (config.SMTP_URL ? smtpTransport(config.SMTP_URL) : null);
  if (transport) {
    channels.push(new EmailChannel(transport, { from: config.ALERT_EMAIL_FROM, to: config.ALERT_EMAIL_TO, organizationTo: (id) => store.organizationEmails(id), baseUrl }));
  }
  channels.push(new WebhookChannel(opts.webhooks, baseUrl));
  return new Alerter({
    store,
    channels,
    settings: { criticalAfterMs: config.ALERT_CRITICAL_AFTER_MS, digestThreshold: config.ALERT_DIGEST_THRESHOLD, batchMs: config.ALERT_BATCH_MS },
    log: opts.log,
    organizationOf: opts.organizationOf,
  });
}
