// Issue 21.4 across a fleet: invalid bearer tokens are counted in the database as well as in the
// process, so a guesser who moves to another node does not get a fresh TOKEN_MAX_FAILURES there.
// The second node is played by forgetting this process's counters (what a new process has), on the
// same database; the real guard (lib/auth/guard.ts) answers every request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, testProviders } from '../../support/databases';
import { resetConfig } from '../../../lib/config';
import { setDb } from '../../../lib/db/client';
import { createToken } from '../../../lib/auth/tokens';
import { authorize } from '../../../lib/auth/guard';
import { CLIENT_IP_HEADER } from '../../../lib/http/client-address';

process.env.LOG_LEVEL = 'silent';

const statusOf = async (p: Promise<unknown>): Promise<number> => {
  try {
    await p;
    return 200;
  } catch (err) {
    if ((err as { status?: number }).status === undefined) throw err;
    return (err as { status: number }).status;
  }
};

for (const provider of testProviders()) {
  test(`${provider}: a token guesser gets TOKEN_MAX_FAILURES once for the fleet, not once per node`, async (t) => {
    const tdb = await createTestDatabase(provider);
    process.env.TOKEN_MAX_FAILURES = '10';
    resetConfig();
    await setDb(tdb.db);
    const holder = globalThis as { __tokenFailureWindows?: unknown };
    t.after(async () => {
      delete process.env.TOKEN_MAX_FAILURES;
      resetConfig();
      delete holder.__tokenFailureWindows;
      await setDb(undefined);
      await tdb.drop();
    });
    const { token } = await createToken(tdb.db, { name: 'valid', scopes: ['read'] });
    const call = (bearer: string, address = '192.0.2.44') =>
      statusOf(authorize(new Request('http://127.0.0.1/api/sessions', { headers: { authorization: `Bearer ${bearer}`, [CLIENT_IP_HEADER]: address } }), 'read'));

    delete holder.__tokenFailureWindows; // node A starts with no counters
    for (let i = 0; i < 6; i++) assert.equal(await call(`wac_wrong_${i}`), 401, `node A, guess ${i + 1}`);

    delete holder.__tokenFailureWindows; // node B: a process that has counted nothing itself
    for (let i = 6; i < 10; i++) assert.equal(await call(`wac_wrong_${i}`), 401, `node B, guess ${i + 1}`);
    // The 11th guess of the fleet is past the shared limit: still 401 (it was checked), and from
    // then on node B refuses the address, a valid token included, while other addresses pass.
    assert.equal(await call('wac_wrong_10'), 401);
    assert.equal(await call(token), 429, 'past the fleet-wide limit, even a valid token is refused');
    assert.equal(await call(token, '192.0.2.45'), 200, 'another address is not affected');
  });
}
