// Contracts of the alerts routes (issue 26 item 7; lib/api/contract.ts): the Alerts page's API.
import { z } from 'zod';
import { defineRoute, idParams } from '../contract';
import {
  alertRecipientsBodySchema,
  alertRecipientsSchema,
  incidentPageSchema,
  incidentSchema,
  incidentsQuerySchema,
  mutedPhoneSchema,
  muteBodySchema,
  testAlertBodySchema,
  testAlertResultSchema,
} from '../alert-schemas';
import { named } from '../named-schemas';
import { successSchema } from '../session-schemas';

named('AlertIncident', incidentSchema);
named('AlertIncidentPage', incidentPageSchema);
named('MutedPhone', mutedPhoneSchema);

export const listAlertIncidents = defineRoute({
  method: 'get', path: '/api/alerts/incidents', operationId: 'listAlertIncidents', tag: 'alerts', auth: 'read', query: incidentsQuerySchema,
  summary: 'Alert incidents, newest first, paged by `before`; filtered by state (open, resolved) and phone',
  responses: { 200: { description: 'Page', schema: incidentPageSchema } },
});

export const acknowledgeAlertIncident = defineRoute({
  method: 'post', path: '/api/alerts/incidents/{id}/acknowledge', operationId: 'acknowledgeAlertIncident', tag: 'alerts', auth: 'admin', params: idParams,
  summary: 'Acknowledge an incident: someone is on it. An alert not sent yet is not sent; acknowledging again keeps the first',
  responses: { 200: { description: 'Acknowledged', schema: incidentSchema } },
});

export const listAlertMutes = defineRoute({
  method: 'get', path: '/api/alerts/mutes', operationId: 'listAlertMutes', tag: 'alerts', auth: 'read',
  summary: 'Phones whose alerts are muted now, by the end of the mute',
  responses: { 200: { description: 'Muted phones', schema: z.array(mutedPhoneSchema) } },
});

export const muteAlerts = defineRoute({
  method: 'put', path: '/api/alerts/mutes/{id}', operationId: 'muteAlerts', tag: 'alerts', auth: 'admin', params: idParams, body: muteBodySchema,
  summary: "Mute a phone's alerts (`id`: the phone) for `minutes` from now: its incidents are recorded, nothing is sent",
  responses: { 200: { description: 'Muted', schema: mutedPhoneSchema } },
});

export const unmuteAlerts = defineRoute({
  method: 'delete', path: '/api/alerts/mutes/{id}', operationId: 'unmuteAlerts', tag: 'alerts', auth: 'admin', params: idParams,
  summary: "End a phone's mute (`id`: the phone); its next incident alerts again",
  responses: { 200: { description: 'Unmuted', schema: successSchema } },
});

export const sendTestAlert = defineRoute({
  method: 'post', path: '/api/alerts/test', operationId: 'sendTestAlert', tag: 'alerts', auth: 'admin', body: testAlertBodySchema, notFound: true,
  summary: "Send a test alert through every channel: e-mail and the webhook `alert` event (`test: true`), to ALERT_EMAIL_TO and ERROR_WEBHOOK_URL, or to an organization's recipients and endpoint. The answer says what each channel did",
  responses: { 200: { description: 'Outcome per channel', schema: testAlertResultSchema } },
});

export const getAlertRecipients = defineRoute({
  method: 'get', path: '/api/organizations/{id}/alert-recipients', operationId: 'getAlertRecipients', tag: 'organizations', auth: 'admin', params: idParams,
  summary: "The organization's own alert e-mail recipients (they get its phones' alerts, besides ALERT_EMAIL_TO)",
  responses: { 200: { description: 'Recipients', schema: alertRecipientsSchema } },
});

export const setAlertRecipients = defineRoute({
  method: 'put', path: '/api/organizations/{id}/alert-recipients', operationId: 'setAlertRecipients', tag: 'organizations', auth: 'admin', params: idParams, body: alertRecipientsBodySchema,
  summary: "Replace the organization's alert e-mail recipients (`[]` removes them)",
  responses: { 200: { description: 'Recipients', schema: alertRecipientsSchema } },
});
