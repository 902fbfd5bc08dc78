// fast-check arbitraries of document-valid requests: for each operation of an OpenAPI document,
// path parameters, query, headers and body generated from the JSON Schemas the document states.
// Used by the property-based tests: what the document allows, the server must accept.
import fc from 'fast-check';

type Json = Record<string, unknown>;

export interface OperationRef {
  path: string;
  method: string;
  op: Json;
}

export interface GeneratedRequest {
  path: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string>;
  body?: unknown;
  /** the request's URL path with the parameters filled in, and its query string */
  url: string;
}

/** Replaces the arbitrary of a named property (e.g. URLs: only loopback ones against a live console). */
export type Narrow = (property: string, schema: Json) => fc.Arbitrary<unknown> | undefined;

export function operations(doc: Json): OperationRef[] {
  return Object.entries(doc.paths as Record<string, Record<string, Json>>).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ path, method, op })),
  );
}

export function schemaArbitrary(doc: Json, schema: Json, narrow?: Narrow, property = ''): fc.Arbitrary<unknown> {
  const resolve = (s: Json): Json => {
    if (typeof s.$ref !== 'string') return s;
    const name = s.$ref.split('/').pop()!;
    return resolve(((doc.components as Json).schemas as Record<string, Json>)[name]);
  };
  const s = resolve(schema);
  const own = narrow?.(property, s);
  if (own) return own;
  if ('const' in s) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  if (Array.isArray(s.anyOf) && !s.properties) return fc.oneof(...(s.anyOf as Json[]).map((b) => schemaArbitrary(doc, b, narrow, property)));
  switch (s.type) {
    case 'string': {
      const minLength = (s.minLength as number | undefined) ?? 0;
      const maxLength = (s.maxLength as number | undefined) ?? 200;
      if (typeof s.pattern === 'string') {
        return fc.stringMatching(new RegExp(s.pattern as string)).filter((v) => v.length >= minLength && v.length <= maxLength);
      }
      return fc.string({ minLength, maxLength: Math.min(maxLength, 200), unit: 'grapheme' }).filter((v) => v.length <= maxLength);
    }
    case 'integer':
      return fc.integer({
        min: (s.minimum as number | undefined) ?? (typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum + 1 : -(2 ** 31)),
        max: (s.maximum as number | undefined) ?? (typeof s.exclusiveMaximum === 'number' ? s.exclusiveMaximum - 1 : 2 ** 31 - 1),
      });
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true, min: s.minimum as number | undefined, max: s.maximum as number | undefined });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(schemaArbitrary(doc, (s.items ?? {}) as Json, narrow, property), {
        minLength: (s.minItems as number | undefined) ?? 0,
        maxLength: (s.maxItems as number | undefined) ?? 5,
      });
    case 'object':
      return objectArbitrary(doc, s, narrow);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function objectArbitrary(doc: Json, s: Json, narrow?: Narrow): fc.Arbitrary<unknown> {
  const props = (s.properties ?? {}) as Record<string, Json>;
  // `anyOf` beside `properties`: one of the branches' required lists applies too.
  const branches = Array.isArray(s.anyOf) ? (s.anyOf as Json[]).map((b) => (b.required as string[] | undefined) ?? []) : [[]];
  const minProperties = (s.minProperties as number | undefined) ?? 0;
  return fc.constantFrom(...branches).chain((extra) => {
    const required = [...new Set([...((s.required as string[] | undefined) ?? []), ...extra])];
    const model = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, schemaArbitrary(doc, v, narrow, k)]));
    return fc
      .record(model, { requiredKeys: required })
      .filter((o) => Object.keys(o as object).length >= minProperties);
  });
}

const asText = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** Document-valid requests for one operation (honouring x-exclusive-parameters). */
export function requestArbitrary(doc: Json, ref: OperationRef, narrow?: Narrow): fc.Arbitrary<GeneratedRequest> {
  const params = (ref.op.parameters ?? []) as Json[];
  const exclusive = (ref.op['x-exclusive-parameters'] ?? []) as [string, string][];
  const group = (where: string) => {
    const list = params.filter((p) => p.in === where);
    const model = Object.fromEntries(list.map((p) => [p.name as string, schemaArbitrary(doc, p.schema as Json, narrow, p.name as string).map(asText)]));
    return fc.record(model, { requiredKeys: list.filter((p) => p.required).map((p) => p.name as string) }) as fc.Arbitrary<Record<string, string>>;
  };
  const bodySpec = ((ref.op.requestBody as Json | undefined)?.content as Record<string, Json> | undefined)?.['application/json'];
  const bodyRequired = !!(ref.op.requestBody as Json | undefined)?.required;
  const body: fc.Arbitrary<unknown> = bodySpec
    ? bodyRequired
      ? schemaArbitrary(doc, bodySpec.schema as Json, narrow)
      : fc.option(schemaArbitrary(doc, bodySpec.schema as Json, narrow), { nil: undefined })
    : fc.constant(undefined);
  return fc
    .record({ path: group('path'), query: group('query'), headers: group('header'), body })
    .filter(({ query }) => !exclusive.some(([a, b]) => a in query && b in query))
    .map(({ path, query, headers, body }) => {
      const filled = ref.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(path[name]));
      const qs = new URLSearchParams(query).toString();
      return { path, query, headers, body, url: filled + (qs ? `?${qs}` : '') };
    });
}
