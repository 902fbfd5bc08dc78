// HTTP JSON control API: what tests, benchmarks and the demo use to drive the simulated phones.
import type http from 'node:http';
import { z } from 'zod';
import type { SimulatorCore } from './simulator';
import { ADDRESSINGS, CAPPING_STATUSES, FAULT_TYPES, SimulatorError } from './types';
import { messagingRoutes } from './messaging-api';

const faultBody = z.object({
  type: z.enum(FAULT_TYPES),
  count: z.number().int().min(1).max(1000).optional(),
  via: z.enum(['pkmsg', 'msg']).optional(),
  from: z.string().min(1).max(64).optional(),
  text: z.string().max(10_000).optional(),
  code: z.number().int().min(400).max(599).optional(),
  addressing: z.enum(ADDRESSINGS).optional(),
  active: z.boolean().optional(),
  seconds: z.number().int().min(1).max(30 * 86400).optional(),
  capping: z.enum(CAPPING_STATUSES).optional(),
});
const waVersionBody = z.object({ revision: z.number().int().min(1).optional(), minRevision: z.number().int().min(1).nullable().optional() });
const scanBody = z.object({ qr: z.string().min(1).max(2000) });
const codeBody = z.object({ code: z.string().min(1).max(20) });
const MAX_BODY = 64 * 1024;

function send(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

async function readJson(req: http.IncomingMessage, maxBytes = MAX_BODY): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += chunk.length;
    if (size > maxBytes) throw new SimulatorError(413, 'body too large');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    throw new SimulatorError(400, 'malformed JSON');
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new SimulatorError(400, r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return r.data;
}

export function controlApi(core: SimulatorCore) {
  return async (req: http.IncomingMessage, res: http.ServerResponse) => {
    try {
      const url = new URL(req.url ?? '/', 'http://sim');
      const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      if (req.method === 'GET' && url.pathname === '/health') return send(res, 200, { status: 'ok' });
      if (req.method === 'GET' && url.pathname === '/wa-version/sw.js') {
        res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
        return res.end(core.waVersionDocument());
      }
      if (req.method === 'PUT' && url.pathname === '/wa-version') return send(res, 200, core.setWaVersion(parse(waVersionBody, await readJson(req))));
      if (req.method === 'GET' && url.pathname === '/phones') return send(res, 200, core.phoneList());
      if (req.method === 'GET' && url.pathname === '/connections') return send(res, 200, core.connectionList());
      if (req.method === 'GET' && url.pathname === '/events') {
        const since = Number(url.searchParams.get('since') ?? '0');
        if (!Number.isInteger(since) || since < 0) throw new SimulatorError(400, 'since must be a non-negative integer');
        return send(res, 200, core.eventsSince(since));
      }
      if (req.method === 'POST' && parts[0] === 'phones' && parts.length === 3 && parts[2] === 'scan') {
        const { qr } = parse(scanBody, await readJson(req));
        return send(res, 200, await core.scan(parts[1], qr));
      }
      if (req.method === 'POST' && parts[0] === 'phones' && parts.length === 3 && parts[2] === 'pairing-code') {
        const { code } = parse(codeBody, await readJson(req));
        return send(res, 200, await core.enterCode(parts[1], code));
      }
      if (req.method === 'POST' && parts[0] === 'phones' && parts.length === 3 && parts[2] === 'faults') {
        const fault = parse(faultBody, await readJson(req));
        return send(res, 200, await core.inject(parts[1], fault));
      }
      if (await messagingRoutes(core, req, res, parts, { readJson, parse, send })) return;
      send(res, 404, { error: `no route ${req.method} ${url.pathname}` });
    } catch (err) {
      if (err instanceof SimulatorError) send(res, err.status, { error: err.message });
      else send(res, 500, { error: String((err as Error)?.message ?? err) });
    }
  };
}
