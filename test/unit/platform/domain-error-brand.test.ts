// Domain errors made by another compiled copy of lib/errors.ts (Next bundles it into several
// chunks) are still recognized: a forwarded command's 503 must not become a 500.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Module from 'node:module';
import path from 'node:path';
import { NotFoundError, UnavailableError, DomainError } from '../../../lib/errors';
import { toResponse } from '../../../lib/api/errors';

test('domain errors: instanceof across two copies of the module compares brands, not classes', async () => {
  const file = path.resolve(__dirname, '../../../lib/errors.ts');
  const require = Module.createRequire(__filename);
  const resolved = require.resolve(file);
  const original = require.cache[resolved];
  delete require.cache[resolved];
  const copy = require(file) as typeof import('../../../lib/errors');
  if (original) require.cache[resolved] = original;
  assert.notEqual(copy.UnavailableError, UnavailableError, 'a second copy of the classes, as in another chunk');

  const foreign = new copy.UnavailableError('owner did not answer', 'owner_unreachable', { willRunLater: false });
  assert.ok(foreign instanceof UnavailableError);
  assert.ok(foreign instanceof DomainError);
  assert.ok(!(foreign instanceof NotFoundError));
  assert.ok(!(new copy.NotFoundError('x') instanceof UnavailableError));

  const res = toResponse(foreign);
  assert.equal(res.status, 503);
  assert.ok(res.headers.get('retry-after'));
  const body = (await res.json()) as { code: string; details: { willRunLater: boolean } };
  assert.equal(body.code, 'owner_unreachable');
  assert.equal(body.details.willRunLater, false);
});
