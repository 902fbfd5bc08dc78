// Shapes of the alerts API (issue 26 item 7): incidents, mutes, the test alert and each
// organization's recipients. Used by the route handlers, the OpenAPI document and the UI.
import { z } from 'zod';
import { ALERT_KINDS } from '../alerts/policy';
import { intString } from './contract';
import { pageQuerySchema } from './session-schemas';

/** An incident is `open` until its rule resolves it. */
export const INCIDENT_STATES = ['open', 'resolved'] as const;

export const incidentSchema = z.object({
  id: z.number().int(),
  kind: z.enum(ALERT_KINDS),
  state: z.enum(INCIDENT_STATES),
  phoneId: z.number().int().nullable(),
  phoneJid: z.string().nullable(),
  phone: z.string().nullable().describe('the number, +77050000001 (null for a node)'),
  organizationId: z.number().int().nullable(),
  nodeId: z.string().nullable().describe('the fleet node (node_lost)'),
  reason: z.string().nullable(),
  openedAt: z.string(),
  resolvedAt: z.string().nullable(),
  notifiedAt: z.string().nullable().describe('when its alert went out; null: muted, acknowledged before it went out, or not sent yet'),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
  mutedUntil: z.string().nullable().describe("the phone's alerts are muted until then (null: not muted now)"),
});
export const incidentPageSchema = z.object({ items: z.array(incidentSchema), nextCursor: z.number().int().nullable() });

export const incidentsQuerySchema = pageQuerySchema.extend({
  state: z.enum([...INCIDENT_STATES, 'all']).default('all').describe('open, resolved, or all (default)'),
  phoneId: intString('phoneId', 1).optional(),
});

/** At most 30 days. */
export const MAX_MUTE_MINUTES = 30 * 24 * 60;
export const muteBodySchema = z.object({
  minutes: z.number().int('minutes must be a whole number').min(1).max(MAX_MUTE_MINUTES).describe('how long the phone sends no alerts (at most 30 days)'),
});
export const mutedPhoneSchema = z.object({
  phoneId: z.number().int(),
  phoneJid: z.string(),
  label: z.string().nullable(),
  organizationId: z.number().int(),
  mutedUntil: z.string().nullable(),
});

export const testAlertBodySchema = z.object({
  organizationId: z.number().int().positive().max(2_147_483_647).optional().describe("the organization's recipients and endpoint; omitted: ALERT_EMAIL_TO and ERROR_WEBHOOK_URL"),
});
const channelOutcome = z.enum(['sent', 'no_recipients', 'failed', 'not_configured']);
export const testAlertResultSchema = z.object({ email: channelOutcome, webhook: channelOutcome });

export const MAX_ALERT_RECIPIENTS = 20;
export const alertRecipientsBodySchema = z.object({
  emails: z.array(z.email({ error: 'each recipient must be an email address' }).max(200)).max(MAX_ALERT_RECIPIENTS).describe('replaces the list; [] removes every recipient'),
});
export const alertRecipientsSchema = z.object({ organizationId: z.number().int(), emails: z.array(z.string()) });
