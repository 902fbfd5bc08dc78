import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { conflict, notFound, toResponse, tooManyRequests } from '../../../lib/api/errors';
import { route } from '../../../lib/api/route';
import { defineRoute, idParams, type RouteContract } from '../../../lib/api/contract';
import { createLogger } from '../../../lib/logger';

process.env.LOG_LEVEL = 'silent';

/** A public test route's contract: only the parts the wrapper enforces vary. */
const contract = <B = undefined, Q = undefined, P = undefined>(parts: Pick<RouteContract<B, Q, P>, 'body' | 'query' | 'params'> = {}) =>
  defineRoute<B, Q, P>({ method: 'post', path: '/api/t', operationId: 'test', summary: 'test', tag: 'demo', auth: 'public', responses: {}, ...parts });

test('ApiError maps to its status with a JSON body', async () => {
  const res = toResponse(notFound('Phone not found'));
  assert.equal(res.status, 404);
  assert.deepEqual(await res.json(), { error: 'Phone not found', code: 'not_found' });
});

test('unknown errors become a 500 JSON without the stack', async () => {
  const res = toResponse(new Error('secret internals at /x/y.ts:12'));
  assert.equal(res.status, 500);
  const text = await res.text();
  assert.doesNotMatch(text, /secret internals|y\.ts/);
  assert.deepEqual(JSON.parse(text), { error: 'Internal error', code: 'internal' });
});

const echo = route(contract({ body: z.object({ n: z.number().int() }) }), async ({ body }) => ({ got: body.n }));
const post = (body: string, headers: Record<string, string> = {}) =>
  echo(new Request('http://x/api/echo', { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } }));

test('the route wrapper parses, validates and limits bodies', async () => {
  assert.deepEqual(await (await post('{"n":5}')).json(), { got: 5 });
  const malformed = await post('{"n":');
  assert.equal(malformed.status, 400);
  assert.equal((await malformed.json()).error, 'Malformed JSON body');
  const wrongType = await post('{"n":"five"}');
  assert.equal(wrongType.status, 400);
  const body = await wrongType.json();
  assert.match(body.error, /^Invalid body: n:/);
  assert.equal(body.details[0].path, 'n');
  const huge = await post(JSON.stringify({ n: 1, pad: 'x'.repeat(70 * 1024) }));
  assert.equal(huge.status, 413);
  // A lying Content-Length does not get a big body through.
  const lying = await post(JSON.stringify({ n: 1, pad: 'x'.repeat(70 * 1024) }), { 'content-length': '10' });
  assert.equal(lying.status, 413);
});

test('ids must be positive 32-bit integers', () => {
  assert.equal(idParams.parse({ id: '42' }).id, 42);
  for (const bad of ['abc', '-1', '0', '1.5', '99999999999']) assert.equal(idParams.safeParse({ id: bad }).success, false, bad);
});

test('errors thrown inside a handler go through the same mapping', async () => {
  const throwing = (err: unknown) => route(contract(), async () => {
    throw err;
  })(new Request('http://x/api/t'));
  const conflicting = await throwing(conflict('Phone already added', { phoneId: 7 }));
  assert.equal(conflicting.status, 409);
  assert.match(conflicting.headers.get('content-type') ?? '', /^application\/json/);
  assert.deepEqual(await conflicting.json(), { error: 'Phone already added', code: 'conflict', details: { phoneId: 7 } });
  const throttled = await throwing(tooManyRequests('Slow down', 90));
  assert.equal(throttled.status, 429);
  assert.equal(throttled.headers.get('retry-after'), '90');
  const crashed = await throwing(new TypeError('cannot read x of undefined at /app/lib/secret.ts:3'));
  assert.equal(crashed.status, 500);
  const text = await crashed.text();
  assert.doesNotMatch(text, /secret|cannot read/);
  assert.deepEqual(JSON.parse(text), { error: 'Internal error', code: 'internal' });
  // A non-Error thrown value is not echoed either.
  const odd = await throwing('raw string with internals');
  assert.equal(odd.status, 500);
  assert.doesNotMatch(await odd.text(), /internals/);
});

test('a handler that returns nothing answers { success: true }; a Response passes through', async () => {
  const nothing = await route(contract(), async () => undefined)(new Request('http://x/api/t'));
  assert.equal(nothing.status, 200);
  assert.deepEqual(await nothing.json(), { success: true });
  const own = await route(contract(), async () => new Response('{"x":1}', { status: 202 }))(new Request('http://x/api/t'));
  assert.equal(own.status, 202);
  assert.equal(await own.text(), '{"x":1}');
});

test('path and query parameters are validated before the handler runs', async () => {
  let calls = 0;
  const handler = route(contract({ params: idParams, query: z.object({ limit: z.coerce.number().int().max(10) }) }), async ({ params, query }) => {
    calls++;
    return { id: params.id, limit: query.limit };
  });
  const ok = await handler(new Request('http://x/api/t/5?limit=3'), { params: Promise.resolve({ id: '5' }) });
  assert.deepEqual(await ok.json(), { id: 5, limit: 3 });
  const badId = await handler(new Request('http://x/api/t/x?limit=3'), { params: Promise.resolve({ id: 'x' }) });
  assert.equal(badId.status, 400);
  assert.match((await badId.json()).error, /^Invalid path: id:/);
  const badQuery = await handler(new Request('http://x/api/t/5?limit=50'), { params: Promise.resolve({ id: '5' }) });
  assert.equal(badQuery.status, 400);
  assert.match((await badQuery.json()).error, /^Invalid query: limit:/);
  assert.equal(calls, 1, 'the handler ran only for valid input');
});

test('the logger redacts secrets', async () => {
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (s: string) => lines.push(s) } });
  logger.info({ password: 'hunter2', token: 'wac_abc', headers: { authorization: 'Bearer x', cookie: 'c=1' }, creds: { noiseKey: 1 } }, 'x');
  // Message content too, should an object carrying it ever reach a log call.
  logger.info({ message: { body: 'marker-body', caption: 'marker-caption', mediaData: 'bWFya2Vy' }, msg: { conversation: 'marker-text' } }, 'y');
  const out = lines.join('');
  for (const secret of ['hunter2', 'wac_abc', 'Bearer x', 'c=1', 'noiseKey', 'marker-body', 'marker-caption', 'bWFya2Vy', 'marker-text']) assert.ok(!out.includes(secret), secret);
});
