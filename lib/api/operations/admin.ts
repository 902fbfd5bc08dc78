// Contracts of organizations, webhooks, audit, tokens and users (lib/api/contract.ts).
import { z } from 'zod';
import { defineRoute, idParams } from '../contract';
import {
  auditPageSchema,
  auditExportQuerySchema,
  auditQuerySchema,
  createdTokenSchema,
  createTokenBodySchema,
  invitedUserSchema,
  inviteUserBodySchema,
  deliveriesQuerySchema,
  organizationSchema,
  organizationWebhookBodySchema,
  organizationWebhookSchema,
  revokedTokenSchema,
  tokenSchema,
  userRoleBodySchema,
  userSchema,
  webhookDeliveryPageSchema,
  webhookDeliverySchema,
  testWebhookBodySchema,
} from '../schemas';
import { successSchema } from '../session-schemas';

export const listOrganizations = defineRoute({
  method: 'get', path: '/api/organizations', operationId: 'listOrganizations', tag: 'organizations', auth: 'read',
  summary: 'Organizations (tenants), by name',
  responses: { 200: { description: 'Organizations', schema: z.array(organizationSchema) } },
});

export const deleteOrganization = defineRoute({
  method: 'delete', path: '/api/organizations/{id}', operationId: 'deleteOrganization', tag: 'organizations', auth: 'admin', params: idParams,
  summary: 'Delete an organization that has no phones (audited)',
  description:
    'Refused with 409 `organization_not_empty` (`details.phones`: how many) while the organization has phones: delete them first. ' +
    'Its pending webhook deliveries are given up ("organization deleted").',
  responses: { 200: { description: 'Deleted', schema: successSchema }, 409: 'Conflict' },
});

export const getOrganizationWebhook = defineRoute({
  method: 'get', path: '/api/organizations/{id}/webhook', operationId: 'getOrganizationWebhook', tag: 'organizations', auth: 'admin', params: idParams,
  summary: "The organization's own webhook endpoint (the secret is write-only: only whether one is set)",
  responses: { 200: { description: 'Endpoint', schema: organizationWebhookSchema } },
});

export const setOrganizationWebhook = defineRoute({
  method: 'put', path: '/api/organizations/{id}/webhook', operationId: 'setOrganizationWebhook', tag: 'organizations', auth: 'admin',
  params: idParams, body: organizationWebhookBodySchema,
  summary: "Set or clear the organization's webhook endpoint and secret (`url: null` clears both; omit `secret` to keep it)",
  responses: { 200: { description: 'Endpoint', schema: organizationWebhookSchema } },
});

export const listWebhookDeliveries = defineRoute({
  method: 'get', path: '/api/webhooks/deliveries', operationId: 'listWebhookDeliveries', tag: 'webhooks', auth: 'read', query: deliveriesQuerySchema,
  summary: 'Webhook deliveries (the outbox), newest first, paged by `before`',
  responses: { 200: { description: 'Page', schema: webhookDeliveryPageSchema } },
});

export const redeliverWebhook = defineRoute({
  method: 'post', path: '/api/webhooks/deliveries/{id}/redeliver', operationId: 'redeliverWebhook', tag: 'webhooks', auth: 'admin', params: idParams,
  summary: 'Send a delivery again (same webhook-id, a fresh attempt budget)',
  responses: { 200: { description: 'Queued', schema: webhookDeliverySchema } },
});

export const sendTestWebhook = defineRoute({
  method: 'post', path: '/api/webhooks/test', operationId: 'sendTestWebhook', tag: 'webhooks', auth: 'admin', body: testWebhookBodySchema, notFound: true,
  summary: 'Send a test delivery (event `webhook_test`) to an endpoint now (audited)',
  description:
    'One attempt, signed like any delivery, sent at once (not behind deliveries waiting for a receiver that is down); it shows in the deliveries ' +
    'as delivered or failed with the error. 404 for an unknown organization, 409 `conflict` when that audience has no endpoint.',
  responses: { 200: { description: 'Queued', schema: webhookDeliverySchema }, 409: 'Conflict' },
});

export const listAudit = defineRoute({
  method: 'get', path: '/api/audit', operationId: 'listAudit', tag: 'audit', auth: 'read', query: auditQuerySchema,
  summary: "Audit log, newest first, paged by `before` (the previous page's nextCursor); filters: actor, action, phone, from, to",
  responses: { 200: { description: 'Page', schema: auditPageSchema } },
});

export const exportAudit = defineRoute({
  method: 'get', path: '/api/audit/export', operationId: 'exportAudit', tag: 'audit', auth: 'read', query: auditExportQuerySchema,
  summary: 'The audit log as CSV (RFC 4180, times in UTC), newest first, with the same filters as the list; at most 10,000 entries (X-Truncated: true when there were more)',
  responses: { 200: { description: 'CSV file', mediaType: 'text/csv', jsonSchema: { type: 'string' } } },
});

export const listTokens = defineRoute({
  method: 'get', path: '/api/tokens', operationId: 'listTokens', tag: 'tokens', auth: 'admin',
  summary: 'API tokens (never the token itself)',
  responses: { 200: { description: 'Tokens', schema: z.array(tokenSchema) } },
});

export const createToken = defineRoute({
  method: 'post', path: '/api/tokens', operationId: 'createToken', tag: 'tokens', auth: 'admin', body: createTokenBodySchema,
  summary: 'Create an API token; the answer is the only time the token is shown',
  responses: { 201: { description: 'Created', schema: createdTokenSchema } },
});

export const revokeToken = defineRoute({
  method: 'delete', path: '/api/tokens/{id}', operationId: 'revokeToken', tag: 'tokens', auth: 'admin', params: idParams,
  summary: 'Revoke an API token (effective at once)',
  description:
    'Answers once the token is refused by every node: a valid token\'s check is cached per node for `TOKEN_CACHE_TTL_MS` ' +
    '(2 s by default), so the answer comes that long after the revocation is written. Revoking an already revoked token waits as long.',
  responses: { 200: { description: 'Revoked', schema: revokedTokenSchema } },
});

export const listUsers = defineRoute({
  method: 'get', path: '/api/users', operationId: 'listUsers', tag: 'users', auth: 'admin',
  summary: 'Console users (never a password)',
  responses: { 200: { description: 'Users', schema: z.array(userSchema) } },
});

export const inviteUser = defineRoute({
  method: 'post', path: '/api/users', operationId: 'inviteUser', tag: 'users', auth: 'admin', body: inviteUserBodySchema,
  summary: 'Invite a user: creates them with a generated one-time password, shown only in this answer',
  responses: { 201: { description: 'Invited', schema: invitedUserSchema }, 409: 'Conflict' },
});

export const changeUserRole = defineRoute({
  method: 'patch', path: '/api/users/{id}', operationId: 'changeUserRole', tag: 'users', auth: 'admin', params: idParams, body: userRoleBodySchema,
  summary: "Change a user's role (ends their sign-in sessions); the last admin cannot be demoted (409 last_admin)",
  responses: { 200: { description: 'Changed', schema: successSchema.extend({ user: invitedUserSchema.shape.user }) }, 409: 'Conflict' },
});

export const deleteUser = defineRoute({
  method: 'delete', path: '/api/users/{id}', operationId: 'deleteUser', tag: 'users', auth: 'admin', params: idParams,
  summary: 'Delete a user (their sign-in sessions end at once); the last admin cannot be deleted (409 last_admin)',
  responses: { 200: { description: 'Deleted', schema: successSchema }, 409: 'Conflict' },
});

export const signOutUser = defineRoute({
  method: 'post', path: '/api/users/{id}/sign-out', operationId: 'signOutUser', tag: 'users', auth: 'admin', params: idParams,
  summary: 'End every sign-in session of a user',
  responses: { 200: { description: 'Signed out', schema: successSchema } },
});
