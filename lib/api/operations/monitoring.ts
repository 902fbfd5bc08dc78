// Contracts of health, metrics, the OpenAPI document and demo mode (faults, simulated pairing) (lib/api/contract.ts).
import { z } from 'zod';
import { defineRoute, idParams } from '../contract';
import { demoFaultBodySchema, demoFaultResponseSchema, demoPairResponseSchema, healthSchema } from '../schemas';
import { named } from '../named-schemas';

const jsonObject = z.record(z.string(), z.unknown());

/** GET /api/openapi.json: the top level of an OpenAPI 3.1 document, as this console makes it. */
export const openApiDocumentSchema = named(
  'OpenApiDocument',
  z.object({
    openapi: z.string(),
    info: z.object({
      title: z.string(),
      version: z.string(),
      description: z.string(),
      license: z.object({ name: z.string(), identifier: z.string() }),
    }),
    servers: z.array(z.object({ url: z.string() })),
    security: z.array(z.record(z.string(), z.array(z.string()))),
    tags: z.array(z.object({ name: z.string(), description: z.string() })),
    paths: z.record(z.string(), jsonObject).describe('path → method → operation'),
    components: z.record(z.string(), jsonObject).describe('securitySchemes, schemas, responses'),
  }),
);

export const getHealth = defineRoute({
  method: 'get', path: '/api/health', operationId: 'getHealth', tag: 'monitoring', auth: 'public',
  summary: 'Liveness and database reachability (public)',
  responses: {
    200: { description: 'Healthy', schema: healthSchema },
    503: { description: 'The database is unreachable', schema: healthSchema },
  },
});

export const getMetrics = defineRoute({
  method: 'get', path: '/api/metrics', operationId: 'getMetrics', tag: 'monitoring', auth: 'read',
  summary: 'Prometheus metrics (text exposition format 0.0.4)',
  responses: { 200: { description: 'Metrics', mediaType: 'text/plain', jsonSchema: { type: 'string' } } },
});

export const getOpenApiDocument = defineRoute({
  method: 'get', path: '/api/openapi.json', operationId: 'getOpenApiDocument', tag: 'monitoring', auth: 'read',
  summary: 'This document (made from the route contracts)',
  responses: { 200: { description: 'OpenAPI 3.1 document', schema: openApiDocumentSchema } },
});

export const injectDemoFault = defineRoute({
  method: 'post', path: '/api/demo/faults', operationId: 'injectDemoFault', tag: 'demo', auth: 'admin', body: demoFaultBodySchema, notFound: true,
  summary: 'Demo mode only: inject a fault at the simulator for one phone (404 when SIMULATOR_URL is unset)',
  responses: { 200: { description: 'Delivered', schema: demoFaultResponseSchema }, 409: 'Conflict', 502: 'BadGateway' },
});

/** GET /api/nodes: the fleet's live nodes (on SQLite, the one node). */
export const fleetNodesSchema = named(
  'FleetNodes',
  z.object({
    nodes: z.array(
      z.object({
        id: z.string(),
        self: z.boolean().describe('the node that answered'),
        state: z.enum(['live', 'silent']).describe('silent: missed lease renewals; its phones move to live nodes when its lease ends'),
        phones: z.number().int().describe('phones it runs'),
        capacity: z.number().int().describe('NODE_CAPACITY'),
        leaseAgeMs: z.number().int().describe('ms since it last renewed its lease (database clock)'),
        leaseEndsInMs: z.number().int().describe('ms until its lease ends (database clock)'),
      }),
    ),
    leaseTtlMs: z.number().int().describe('LEASE_TTL_MS of the node that answered'),
  }),
);
export type FleetNodesDto = z.infer<typeof fleetNodesSchema>;

export const listNodes = defineRoute({
  method: 'get', path: '/api/nodes', operationId: 'listNodes', tag: 'monitoring', auth: 'read',
  summary: 'The fleet\'s live nodes: lease age, phones each runs, capacity (one node on SQLite)',
  responses: { 200: { description: 'Nodes', schema: fleetNodesSchema } },
});

/** The two ways the demo's simulated phone links a session: the same contract but for what it does. */
const demoPairing = (path: string, operationId: string, does: string, secret: string) =>
  defineRoute({
    method: 'post', path, operationId, tag: 'demo', auth: 'admin', params: idParams, notFound: true,
    summary: `Demo mode only: the simulated phone ${does} (404 when SIMULATOR_URL is unset or not loopback; 409 not_pairing without a ${secret})`,
    responses: { 200: { description: 'Linked', schema: demoPairResponseSchema }, 409: 'Conflict', 502: 'BadGateway' },
  });

export const demoScanQr = demoPairing('/api/demo/sessions/{id}/scan', 'demoScanQr', "scans the session's current QR", 'QR');
export const demoEnterPairingCode = demoPairing('/api/demo/sessions/{id}/pairing-code', 'demoEnterPairingCode', "types the session's current pairing code", 'code');
