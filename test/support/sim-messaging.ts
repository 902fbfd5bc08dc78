// The simulator's messaging routes from a test (over HTTP, so it works with a simulator in another
// process too): contacts' inboxes, contacts sending to a phone, receipt and ack switches, and the
// media host's CA. See simulator/README.md "Messaging".
import type { ContactSendRequest, ContactSent, InboxEntry, MediaInfo, MessagingSettings, PhoneSent, ReceiptPolicy } from '../../simulator';
import { DEFAULT_DEADLINE_MS, eventually } from './eventually';

async function call<T>(controlUrl: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(controlUrl + path, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = (await res.json()) as T & { error?: string };
  if (!res.ok) throw new Error(`simulator ${method} ${path}: ${res.status} ${json.error ?? ''}`);
  return json;
}

const enc = encodeURIComponent;

export function simMessaging(controlUrl: string) {
  return {
    inbox: (contact: string) => call<InboxEntry[]>(controlUrl, 'GET', `/contacts/${enc(contact)}/inbox`),
    contactSent: (contact: string) => call<ContactSent[]>(controlUrl, 'GET', `/contacts/${enc(contact)}/sent`),
    send: (contact: string, body: ContactSendRequest) => call<{ id: string }>(controlUrl, 'POST', `/contacts/${enc(contact)}/send`, body),
    configureContact: (contact: string, patch: { notOnWhatsApp?: boolean; receipts?: Partial<ReceiptPolicy> | null }) => call(controlUrl, 'PUT', `/contacts/${enc(contact)}`, patch),
    configure: (patch: { receipts?: Partial<ReceiptPolicy>; ack?: boolean }) => call<MessagingSettings>(controlUrl, 'PUT', '/settings/messaging', patch),
    phoneSent: (phone: string) => call<PhoneSent[]>(controlUrl, 'GET', `/phones/${enc(phone)}/sent`),
    setPhoneAck: (phone: string, ack: boolean | null) => call(controlUrl, 'PUT', `/phones/${enc(phone)}/messaging`, { ack }),
    mediaCa: () => call<Omit<MediaInfo, 'auth'>>(controlUrl, 'GET', '/media/ca'),
    /** Polls a contact's inbox until `done` holds (the suite's deadline: a busy machine). */
    waitForInbox(contact: string, done: (inbox: InboxEntry[]) => boolean, timeoutMs = DEFAULT_DEADLINE_MS): Promise<InboxEntry[]> {
      return eventually(`${contact}'s inbox`, async () => {
        const inbox = await call<InboxEntry[]>(controlUrl, 'GET', `/contacts/${enc(contact)}/inbox`);
        return done(inbox) ? inbox : undefined;
      }, timeoutMs, 50);
    },
  };
}
