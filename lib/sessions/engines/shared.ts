// What both engines do the same way (their modules call these; nothing else should).
import { whatsAppCloseReason, type WhatsAppCloseReason } from '../reasons';
import { versionText, type SenderAddresses, type WaVersion } from './types';

/** Status code → catalogue (reasons.ts), with the version the console sent on a 405. */
export function closeReasonOf(status: number | undefined, detail: string, sentVersion: WaVersion): WhatsAppCloseReason {
  const why = whatsAppCloseReason(status, detail);
  return why.code === 'version_outdated' ? { code: 'version_outdated', params: { ...why.params, version: versionText(sentVersion) } } : why;
}

const isLid = (jid: string | null | undefined): jid is string => !!jid && jid.endsWith('@lid');

/** The sender and its alternative address, sorted into phone number and LID. */
export function addressesOf(sender: string | null, alt: string | null): SenderAddresses {
  return {
    sender,
    pn: sender && !isLid(sender) ? sender : alt && !isLid(alt) ? alt : null,
    lid: isLid(sender) ? sender : isLid(alt) ? alt : null,
  };
}
