// A typed client of the console's API: openapi-fetch over the types openapi-typescript made from
// the OpenAPI document (generated/api-schema.d.ts, written by scripts/api-types.ts). Every answer
// is also validated against the document.
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './generated/api-schema';
import type { openApiValidator } from './openapi-validator';

export function apiClient(baseUrl: string, headers: Record<string, string>, validator: ReturnType<typeof openApiValidator>) {
  const called = new Map<string, number[]>();
  const checks: Promise<unknown>[] = [];
  const record: Middleware = {
    async onResponse({ request, response, schemaPath }) {
      const key = `${request.method} ${schemaPath}`;
      called.set(key, [...(called.get(key) ?? []), response.status]);
      const stream = (response.headers.get('content-type') ?? '').startsWith('text/event-stream');
      // The stream is left to the caller (it is endless); every other answer is checked here.
      if (!stream) checks.push(validator.check(request.method, schemaPath, response.clone()));
      return response;
    },
  };
  const client = createClient<paths>({ baseUrl, headers });
  client.use(record);
  return { client, called, checked: () => Promise.all(checks) };
}
