// The close route's failure shape (the seed's `500 { success: false, error }`), at the route
// level: the real route handler, a real database and token, and a session manager whose close
// fails. Why a subclass and not a real fault (issue 23.7): closing ends the Baileys socket on our
// side (ws close), which no simulator fault can refuse; the one real step that can fail is the
// stored write, and a database failure is answered 503 database_unavailable, not this 500
// (db-outage.test.ts shows that). So the failure is injected at the manager, where it would
// happen, and everything around it (route, wrapper, auth, audit, database) is real.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { createTestDatabase, testProviders } from '../../support/databases';
import { resetConfig } from '../../../lib/config';
import { setDb } from '../../../lib/db/client';
import { createToken } from '../../../lib/auth/tokens';
import { SessionManager, setSessionManager } from '../../../lib/sessions/manager';
import { addPhone, testSettings } from '../../support/engine';
import { POST } from '../../../app/api/sessions/[id]/close/route';

process.env.LOG_LEVEL = 'silent';

class FailingCloseManager extends SessionManager {
  closes = 0;
  override async forceCloseSession(): Promise<{ alreadyClosed: boolean }> {
    this.closes++;
    throw new Error('the socket did not close');
  }
}

for (const provider of testProviders()) {
  test(`${provider}: POST /api/sessions/:id/close answers 500 { success: false, error } when the close fails`, async (t) => {
    const tdb = await createTestDatabase(provider);
    resetConfig();
    await setDb(tdb.db);
    const manager = new FailingCloseManager(tdb.db, testSettings('ws://127.0.0.1:9/unused'), pino({ level: 'silent' }));
    setSessionManager(manager);
    t.after(async () => {
      setSessionManager(undefined);
      await tdb.drop();
      await setDb(undefined);
    });
    const { token } = await createToken(tdb.db, { name: 'close-failure', scopes: ['admin'] });
    const phone = await addPhone(tdb.db, '77051237777@s.whatsapp.net');
    const call = (id: string, body: unknown = { reason: 'Maintenance' }) =>
      POST(new Request(`http://127.0.0.1/api/sessions/${id}/close`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }), {
        params: Promise.resolve({ id }),
      });

    const res = await call(String(phone.id));
    assert.equal(res.status, 500);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const body = await res.json();
    // The seed's { success: false, error }, plus the machine-readable code every error here carries.
    assert.deepEqual(Object.keys(body).sort(), ['code', 'error', 'success']);
    assert.equal(body.success, false);
    assert.equal(body.code, 'close_failed');
    assert.equal(typeof body.error, 'string');
    assert.ok(body.error.length > 0);
    assert.doesNotMatch(body.error, /\n\s+at /, 'no stack trace');
    assert.equal(manager.closes, 1, 'the close was attempted');
    // The failed attempt is in the audit log with its reason.
    const audit = await tdb.db.auditLog.findMany({ where: { action: 'session.close', targetId: String(phone.id) } });
    assert.deepEqual(audit.map((a) => [a.result, a.reason]), [['error', 'Maintenance']]);

    // Errors that are the caller's keep their own status and shape.
    const missing = await call('424242');
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { error: 'Phone not found', code: 'not_found' });
    assert.equal((await call(String(phone.id), { reason: 42 })).status, 400);
    assert.equal(manager.closes, 1, 'neither reached the manager');
  });
}
