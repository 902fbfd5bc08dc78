// Validates live HTTP answers against the console's OpenAPI document with ajv (JSON Schema
// 2020-12, the dialect of OpenAPI 3.1): the status must be documented for the operation, the media
// type must be one the document lists, and the body must match its schema.
import fs from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { NEXTAUTH_ROUTES } from '../../lib/api/operations/auth';

type Json = Record<string, unknown>;
const DOC_ID = 'https://console.test/openapi.json';

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

export interface Checked {
  status: number;
  mediaType: string;
  body: unknown;
  text: string;
  headers: Headers;
}

export function openApiValidator(doc: Json) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ ...doc, $id: DOC_ID });
  const paths = doc.paths as Record<string, Record<string, Json>>;
  const components = doc.components as { responses: Record<string, Json> };
  /** operationId → statuses seen */
  const seen = new Map<string, Set<number>>();

  function operation(method: string, template: string): Json {
    const op = paths[template]?.[method.toLowerCase()];
    if (!op) throw new Error(`${method} ${template} is not in the document`);
    return op;
  }

  /** Checks one answer; returns its parsed body. `template` is the documented path, e.g. /api/sessions/{id}. */
  async function check(method: string, template: string, res: Response, opts: { stream?: boolean } = {}): Promise<Checked> {
    const mediaType = (res.headers.get('content-type') ?? '').split(';')[0].trim();
    let text = '';
    if (opts.stream) {
      const reader = res.body!.getReader();
      const { value } = await reader.read();
      text = new TextDecoder().decode(value);
      await reader.cancel();
    } else text = await res.text();
    const where = `${method} ${template} → ${res.status}`;
    if (res.status === 405) {
      // A method the path does not list: the shared MethodNotAllowed answer, Allow names the path's methods.
      if (paths[template]?.[method.toLowerCase()]) throw new Error(`${where}: 405 for a documented operation`);
      const allow = (res.headers.get('allow') ?? '').split(',').map((m) => m.trim().toLowerCase()).filter(Boolean).sort();
      const documented = Object.keys(paths[template] ?? {}).sort();
      if (JSON.stringify(allow) !== JSON.stringify(documented)) throw new Error(`${where}: Allow ${allow} but the document lists ${documented}`);
      // The body is the shared Error schema (info.description says so; no operation lists a 405).
      const methodNotAllowed = { description: '405', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
      return validate(where, methodNotAllowed, '#/components/schemas/Error', res, mediaType, text, true);
    }
    const op = operation(method, template);
    const responses = op.responses as Record<string, Json>;
    let response = responses[String(res.status)];
    if (!response) throw new Error(`${where}: status not documented (documented: ${Object.keys(responses).join(', ')}); body ${text.slice(0, 300)}`);
    let base = `#/paths/${pointer(template, method.toLowerCase(), 'responses', String(res.status))}`;
    if (typeof response.$ref === 'string') {
      base = response.$ref;
      response = components.responses[response.$ref.split('/').pop()!];
    }
    const ids = seen.get(String(op.operationId)) ?? new Set<number>();
    ids.add(res.status);
    seen.set(String(op.operationId), ids);
    return validate(where, response, base, res, mediaType, text);
  }

  function validate(where: string, response: Json, base: string, res: Response, mediaType: string, text: string, baseIsSchema = false): Checked {
    const content = response.content as Record<string, Json> | undefined;
    if (!content) {
      if (text) throw new Error(`${where}: the document says no body, got ${text.slice(0, 200)}`);
      return { status: res.status, mediaType, body: undefined, text, headers: res.headers };
    }
    // The exact media type, else a documented range (`image/*`, `*/*`).
    const documentedType = [mediaType, `${mediaType.split('/')[0]}/*`, '*/*'].find((t) => content[t]);
    if (!documentedType) throw new Error(`${where}: media type ${mediaType} not documented (${Object.keys(content)})`);
    for (const [name, header] of Object.entries((response.headers ?? {}) as Record<string, Json>)) {
      if (header.required && !res.headers.get(name)) throw new Error(`${where}: header ${name} missing`);
    }
    const body = mediaType === 'application/json' ? JSON.parse(text) : text;
    const schemaRef = baseIsSchema ? `${DOC_ID}${base}` : `${DOC_ID}${base}/content/${pointer(documentedType)}/schema`;
    const validateFn = ajv.getSchema(schemaRef);
    if (!validateFn) throw new Error(`${where}: no schema at ${schemaRef}`);
    if (!validateFn(body)) throw new Error(`${where}: body does not match the document: ${ajv.errorsText(validateFn.errors)}\n${text.slice(0, 500)}`);
    return { status: res.status, mediaType, body, text, headers: res.headers };
  }

  return { check, seen, operations: () => Object.entries(paths).flatMap(([p, item]) => Object.entries(item).map(([m, op]) => ({ path: p, method: m, op }))) };
}

const API_DIR = path.resolve(__dirname, '../../app/api');
// NextAuth's catch-all serves many actions; the documented ones (lib/api/operations/auth.ts) are
// what a script uses (the rest are the browser's).
const NEXTAUTH_OPERATIONS = NEXTAUTH_ROUTES.map((r) => ({ path: r.path, method: r.method as string }));
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** Every route file under app/api and the methods it really implements, as OpenAPI paths (`{id}`). */
export function implementedOperations(): { path: string; method: string }[] {
  const out: { path: string; method: string }[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === 'route.ts') {
        const rel = path.relative(API_DIR, dir).split(path.sep).filter(Boolean);
        if (rel[0] === '[...path]') continue; // the JSON 404 catch-all
        if (rel[0] === 'auth') {
          out.push(...NEXTAUTH_OPERATIONS);
          continue;
        }
        const urlPath = '/api/' + rel.map((s) => s.replace(/^\[(\w+)\]$/, '{$1}')).join('/');
        const source = fs.readFileSync(full, 'utf8');
        // Real handlers are `export const GET = …`, `export async function GET` or `export { x as GET }`;
        // `export const { PUT, … } = otherMethods(…)` only answers 405 and is not an operation.
        for (const m of METHODS) {
          if (new RegExp(`export (const|async function|function) ${m}\\b|as ${m}\\b`).test(source)) out.push({ path: urlPath, method: m.toLowerCase() });
        }
      }
    }
  };
  walk(API_DIR);
  return out;
}
