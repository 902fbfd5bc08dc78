// The OpenAPI document, made from the route contracts, checked the way users check it: every
// route file's handlers serve the contract of their own path and method (and the document lists
// nothing else); swagger-parser validates it; redocly lints it with 0 problems (redocly.yaml);
// Ajv in strict mode compiles every schema in it; openapi-typescript's output is the generated
// test/support/generated/api-schema.d.ts (compiled by `tsc --strict` with the typed client that
// uses it; `npm test` writes it before the type check);
// and every document-valid input passes the zod schemas the routes validate with (fast-check).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import SwaggerParser from '@apidevtools/swagger-parser';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { openApiDocument } from '../../../lib/api/openapi';
import { API_TYPES_FILE, apiTypes } from '../../../scripts/api-types';
import { ALL_ROUTES } from '../../../lib/api/operations';
import { NEXTAUTH_ROUTES } from '../../../lib/api/operations/auth';
import { implementedOperations } from '../../support/openapi-validator';
import { operations, requestArbitrary } from '../../support/openapi-inputs';

type Json = Record<string, unknown>;
const ROOT = path.resolve(__dirname, '../../..');
// Not localhost: redocly's no-server-example.com rule is about a deployed document's server.
const doc = openApiDocument('https://console.acme.test') as unknown as Json;
const key = (method: string, p: string) => `${method.toUpperCase()} ${p}`;

test('every route file serves the contracts of its own path, and the document lists nothing else', { timeout: 120_000 }, async () => {
  const documented = operations(doc).map((o) => key(o.method, o.path)).sort();
  const implemented = implementedOperations().map((o) => key(o.method, o.path)).sort();
  assert.ok(implemented.length >= 25, `found ${implemented.length} operations on disk`);
  assert.deepEqual(implemented.filter((o) => !documented.includes(o)), [], 'route methods without a contract in lib/api/operations');
  assert.deepEqual(documented.filter((o) => !implemented.includes(o)), [], 'contracts without a route');
  // Each handler carries the contract it was made with (route(contract, handler)): it must be the
  // one for its file's path and method, so a contract cannot be attached to the wrong route.
  const nextAuth = new Set<unknown>(NEXTAUTH_ROUTES);
  const apiDir = path.join(ROOT, 'app/api');
  const files = fs.readdirSync(apiDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('route.ts'));
  const served: string[] = [];
  for (const file of files) {
    const rel = path.dirname(file).split(path.sep);
    if (rel[0] === 'auth' || rel[0] === '[...path]') continue;
    const urlPath = '/api/' + rel.map((s) => s.replace(/^\[(\w+)\]$/, '{$1}')).join('/');
    const mod = (await import(path.join(apiDir, file))) as Record<string, { contract?: { method: string; path: string } }>;
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
      const contract = mod[method]?.contract;
      if (!contract) continue;
      assert.equal(key(contract.method, contract.path), key(method, urlPath), `${file} ${method} serves another route's contract`);
      served.push(key(method, urlPath));
    }
  }
  const withRoute = ALL_ROUTES.filter((r) => !nextAuth.has(r)).map((r) => key(r.method, r.path)).sort();
  assert.deepEqual(served.sort(), withRoute, 'every contract (but NextAuth\'s) is served through route() by its file');
});

test('swagger-parser validates the document', async () => {
  await SwaggerParser.validate(structuredClone(doc) as never);
});

test('redocly lint (recommended ruleset, redocly.yaml): no error, no warning', { timeout: 120_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-'));
  const file = path.join(dir, 'openapi.json');
  fs.writeFileSync(file, JSON.stringify(doc));
  try {
    const run = await promisify(execFile)(path.join(ROOT, 'node_modules/.bin/redocly'), ['lint', file, '--config', path.join(ROOT, 'redocly.yaml'), '--format', 'json'], {
      cwd: ROOT,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    }).catch((err: { stdout?: string; stderr?: string }) => ({ stdout: err.stdout ?? '', stderr: err.stderr ?? '' }));
    const report = JSON.parse(run.stdout.slice(run.stdout.indexOf('{'))) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; message: string; location: { pointer: string }[] }[] };
    const problems = report.problems.map((p) => `${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`);
    assert.deepEqual(problems, []);
    assert.deepEqual(report.totals, { ...report.totals, errors: 0, warnings: 0 });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('Ajv strict mode compiles every schema of the document', () => {
  const ID = 'https://console.test/schemas';
  const rewrite = (node: unknown): unknown =>
    Array.isArray(node)
      ? node.map(rewrite)
      : node && typeof node === 'object'
        ? Object.fromEntries(Object.entries(node).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' ? v.replace('#/components/schemas/', `${ID}#/$defs/`) : rewrite(v)]))
        : node;
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  const components = doc.components as { schemas: Json; responses: Json };
  ajv.addSchema({ $id: ID, $defs: rewrite(components.schemas) as Json });
  const schemas: [string, Json][] = Object.keys(components.schemas).map((n) => [`components.schemas.${n}`, { $ref: `${ID}#/$defs/${n}` }]);
  const collect = (node: unknown, where: string) => {
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (k === 'schema' && v && typeof v === 'object') schemas.push([where, rewrite(v) as Json]);
      else collect(v, `${where}/${k}`);
    }
  };
  collect(doc.paths, 'paths');
  collect(components.responses, 'components.responses');
  const refused: string[] = [];
  for (const [where, schema] of schemas) {
    try {
      ajv.compile(schema);
    } catch (err) {
      refused.push(`${where}: ${(err as Error).message}`);
    }
  }
  assert.ok(schemas.length > 100, `${schemas.length} schemas`);
  assert.deepEqual(refused, []);
});

test('openapi-typescript: the generated types the typed client compiles against are its output for this document, with no Record<string, never>', { timeout: 60_000 }, async () => {
  const generated = await apiTypes(doc);
  const onDisk = fs.readFileSync(API_TYPES_FILE, 'utf8');
  assert.ok(generated === onDisk, 'test/support/generated/api-schema.d.ts is out of date: run npm run -s api:types');
  // The top-level `webhooks` and `$defs` exports are empty by nature; nothing inside may be.
  const inside = generated.split('\n').filter((l) => l.includes('Record<string, never>') && !/^export type (webhooks|\$defs) =/.test(l));
  assert.deepEqual(inside, []);
});

test('property: every document-valid input passes the zod schemas of its route', { timeout: 120_000 }, () => {
  const contracts = new Map(ALL_ROUTES.map((r) => [key(r.method, r.path), r]));
  for (const ref of operations(doc)) {
    const contract = contracts.get(key(ref.method, ref.path))!;
    fc.assert(
      fc.property(requestArbitrary(doc, ref), (req) => {
        const where = `${key(ref.method, ref.path)} ${req.url} ${JSON.stringify(req.body)?.slice(0, 200)}`;
        const check = (schema: { safeParse(v: unknown): { success: boolean; error?: unknown } } | undefined, value: unknown, what: string) => {
          if (!schema) return;
          const r = schema.safeParse(value);
          assert.ok(r.success, `${where}: ${what} refused: ${JSON.stringify(r.error)}`);
        };
        check(contract.params, req.path, 'path');
        check(contract.query, req.query, 'query');
        // What the wrapper hands over for an absent body: {} (lib/api/route.ts).
        if (contract.formBody) return;
        check(contract.body, req.body === undefined ? {} : req.body, 'body');
      }),
      { numRuns: 60, seed: 20 },
    );
  }
});
