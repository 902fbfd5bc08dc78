// Shapes shared between operations: each becomes components.schemas.<name> in the OpenAPI
// document and a `$ref` wherever it is used (lib/api/openapi.ts).
import type { ZodType } from 'zod';
import { errorStatsSchema, pairingCodeResponseSchema, qrResponseSchema, sessionEventSchema, sessionSchema, statsResponseSchema, successSchema, trafficSchema } from './session-schemas';
import { sessionPageSchema, sessionSummarySchema } from './list-schemas';
import { accountSignalsSchema } from '../sessions/account-signals';
import {
  auditEntrySchema,
  auditPageSchema,
  createdTokenSchema,
  demoFaultResponseSchema,
  healthSchema,
  organizationSchema,
  organizationWebhookSchema,
  revokedTokenSchema,
  tokenSchema,
  userSchema,
  webhookDeliveryPageSchema,
  webhookDeliverySchema,
} from './schemas';

const names = new Map<ZodType, string>();

/** Names `schema` in the document (returns it). */
export function named<T extends ZodType>(name: string, schema: T): T {
  const taken = [...names].find(([s, n]) => n === name && s !== schema);
  if (taken) throw new Error(`OpenAPI schema name ${name} is used twice`);
  names.set(schema, name);
  return schema;
}

export const schemaName = (schema: unknown) => names.get(schema as ZodType);
export const namedSchemas = () => [...names].map(([schema, name]) => ({ name, schema }));

named('Session', sessionSchema);
named('SessionPage', sessionPageSchema);
named('SessionSummary', sessionSummarySchema);
named('ErrorStats', errorStatsSchema);
named('AccountSignals', accountSignalsSchema);
named('SessionStats', statsResponseSchema);
named('MessageTraffic', trafficSchema);
named('SessionEvent', sessionEventSchema);
named('Success', successSchema);
named('Qr', qrResponseSchema);
named('PairingCode', pairingCodeResponseSchema);
named('Organization', organizationSchema);
named('Token', tokenSchema);
named('CreatedToken', createdTokenSchema);
named('RevokedToken', revokedTokenSchema);
named('AuditEntry', auditEntrySchema);
named('AuditPage', auditPageSchema);
named('Health', healthSchema);
named('DemoFaultResult', demoFaultResponseSchema);
named('WebhookDelivery', webhookDeliverySchema);
named('WebhookDeliveryPage', webhookDeliveryPageSchema);
named('OrganizationWebhook', organizationWebhookSchema);
named('User', userSchema);
