import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { ApiError, notFound, toResponse } from '../../../lib/api/errors';
import { idParams, route } from '../../../lib/api/route';
import { createLogger } from '../../../lib/logger';

process.env.LOG_LEVEL = 'silent';

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

const echo = route({ auth: 'public', body: z.object({ n: z.number().int() }) }, async ({ body }) => ({ got: body.n }));
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

test('ApiError keeps status and code', () => {
  const e = new ApiError(409, 'taken', 'conflict');
  assert.equal(e.status, 409);
  assert.equal(e.code, 'conflict');
});

test('the logger redacts secrets', async () => {
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (s: string) => lines.push(s) } });
  logger.info({ password: 'hunter2', token: 'wac_abc', headers: { authorization: 'Bearer x', cookie: 'c=1' }, creds: { noiseKey: 1 } }, 'x');
  const out = lines.join('');
  for (const secret of ['hunter2', 'wac_abc', 'Bearer x', 'c=1', 'noiseKey']) assert.ok(!out.includes(secret), secret);
});
