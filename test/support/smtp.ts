// A real SMTP server for tests, on a loopback port the OS picks (smtp-server), that parses every
// mail it receives (mailparser) so a test can read subject, recipients, text and links.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { awaitableLog } from './awaitable-log';

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
}

export async function startSmtpServer() {
  const received = awaitableLog<ReceivedMail>();
  const mails = received.items;
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
          });
          callback();
        })
        .catch((err) => callback(err as Error));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    /** Resolves with the first mail that matches (already received or still to come). */
    waitFor: (pred: (m: ReceivedMail) => boolean, timeoutMs = 30_000): Promise<ReceivedMail> =>
      received.waitFor(pred, { timeoutMs, describe: () => `no mail matched; got ${JSON.stringify(mails.map((m) => m.subject))}` }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
