// The seed's functions, with the seed's names, on the process-wide session manager.
import { getSessionManager } from './manager';

export { getSessionManager, setSessionManager, SessionManager, PhoneNotFoundError, settingsFromConfig } from './manager';
export * from './types';

export const startBaileys = (organizationId: number, organizationPhoneId: number, phoneJid: string) =>
  getSessionManager().startBaileys(organizationId, organizationPhoneId, phoneJid);

export const getBaileysSock = (organizationPhoneId: number) => getSessionManager().getBaileysSock(organizationPhoneId);

export const getSessionErrorStats = (organizationPhoneId: number) => getSessionManager().getSessionErrorStats(organizationPhoneId);

export const forceCloseSession = (organizationPhoneId: number, reason = 'Manual close') =>
  getSessionManager().forceCloseSession(organizationPhoneId, reason);

export const restartSession = (organizationPhoneId: number) => getSessionManager().restartSession(organizationPhoneId);
