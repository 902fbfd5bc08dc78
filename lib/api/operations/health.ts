// Contracts of the health history routes (issue 26; lib/api/contract.ts).
import { defineRoute, idParams } from '../contract';
import { bandsQuerySchema, bandsResponseSchema, healthSummarySchema, historyQuerySchema, phoneHistorySchema } from '../health-schemas';
import { named } from '../named-schemas';

named('PhoneHistory', phoneHistorySchema);
named('StateBands', bandsResponseSchema);
named('HealthSummary', healthSummarySchema);

export const getSessionHistory = defineRoute({
  method: 'get', path: '/api/sessions/{id}/history', operationId: 'getSessionHistory', tag: 'sessions', auth: 'read', params: idParams, query: historyQuerySchema,
  summary: "The phone's history in [from, to] (ISO 8601, default the last 7 days, at most 90 days): state bands, time in each state, uptime over 24 h / 7 d / 30 d, drops per day, time to reconnect, the last closes, decryption failures per day by cause",
  responses: { 200: { description: 'History', schema: phoneHistorySchema } },
});

export const getHealthSummary = defineRoute({
  method: 'get', path: '/api/health/summary', operationId: 'getHealthSummary', tag: 'monitoring', auth: 'read',
  summary: "The fleet's health: phones below UPTIME_OBJECTIVE (7 days), the worst ten, drops per hour over 24 hours",
  responses: { 200: { description: 'Summary', schema: healthSummarySchema } },
});

export const getStateBands = defineRoute({
  method: 'get', path: '/api/health/bands', operationId: 'getStateBands', tag: 'monitoring', auth: 'read', query: bandsQuerySchema,
  summary: "The 7-day state bands (open, connecting, closed, stopped) of up to 200 phones: the sessions table's band per row",
  responses: { 200: { description: 'Bands', schema: bandsResponseSchema } },
});
