// Shapes of the health API (issue 26): a phone's history and the fleet's summary. Used by the
// route handlers, the OpenAPI document and the UI.
import { z } from 'zod';
import { HISTORY_STATES } from '../health/history-states';
import { CLOSE_REASON_CODES, type CloseReasonCode } from '../sessions/reasons';

export const isoTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/, 'must be an ISO 8601 date or date-time')
  .describe('ISO 8601 date or date-time');

/**
 * ?from=&to= (ISO 8601); default the last 7 days. That from is before to and at most 90 days
 * apart is checked by lib/health/api.ts (400), as the document cannot say it.
 */
export const historyQuerySchema = z.object({ from: isoTime.optional(), to: isoTime.optional() });

const state = z.enum(HISTORY_STATES);
const ratio = z.number().min(0).max(1).nullable();

/** ?ids=1,2,3 (at most 200 phones: one page of the table) */
export const bandsQuerySchema = z.object({
  ids: z
    .string()
    .regex(/^\d{1,10}(,\d{1,10}){0,199}$/, 'ids must be up to 200 comma-separated phone ids')
    .transform((v) => [...new Set(v.split(',').map(Number))]),
});

export const bandSchema = z.object({ state: z.enum(HISTORY_STATES), from: z.string(), to: z.string() });

export const bandsResponseSchema = z.object({
  from: z.string(),
  to: z.string(),
  /** phone id → its 7-day state bands (oldest first); phones without history are absent */
  phones: z.record(z.string(), z.array(bandSchema)),
});
export type BandsDto = z.infer<typeof bandsResponseSchema>;

export const dropSchema = z.object({
  at: z.string(),
  state,
  /** why it dropped: a close reason { code, params } (docs/api.md), null when not known */
  reason: z.object({ code: z.enum(CLOSE_REASON_CODES as [CloseReasonCode, ...CloseReasonCode[]]), params: z.record(z.string(), z.unknown()) }).nullable(),
  code: z.number().int().nullable(),
  reconnectMs: z.number().nullable(),
});

export const phoneHistorySchema = z.object({
  phoneId: z.number().int(),
  from: z.string(),
  to: z.string(),
  bands: z.array(bandSchema),
  timeInState: z.object({ open: z.number(), connecting: z.number(), closed: z.number(), stopped: z.number() }),
  uptime: z.object({ '24h': ratio, '7d': ratio, '30d': ratio }),
  drops: z.number().int(),
  dropsPerDay: z.array(z.object({ day: z.string(), count: z.number().int() })),
  reconnect: z.object({ count: z.number().int(), p50Ms: z.number().nullable(), p95Ms: z.number().nullable() }),
  lastCloses: z.array(dropSchema),
  decryptFailuresPerDay: z.array(z.object({ day: z.string(), byKind: z.record(z.string(), z.number().int()) })),
});
export type PhoneHistoryDto = z.infer<typeof phoneHistorySchema>;

const phoneUptimeSchema = z.object({
  phoneId: z.number().int(),
  phoneJid: z.string(),
  label: z.string().nullable(),
  organizationId: z.number().int(),
  organizationName: z.string(),
  uptime: z.number(),
  drops: z.number().int(),
});

export const healthSummarySchema = z.object({
  objective: z.number(),
  windowDays: z.literal(7),
  measured: z.number().int(),
  belowObjective: z.array(phoneUptimeSchema),
  worst: z.array(phoneUptimeSchema),
  dropsPerHour: z.array(z.object({ hour: z.string(), count: z.number().int() })),
  generatedAt: z.string(),
});
export type HealthSummaryDto = z.infer<typeof healthSummarySchema>;
