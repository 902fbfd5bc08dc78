// `npm run -s token -- create NAME [--scope admin|read|messages]` prints only the token on stdout.
// Also: `list`, `revoke ID`. Works on the database named by DATABASE_URL (migrating it first).
import { runDbCommand, UsageError } from './cli';
import { createToken, listTokens, revokeToken } from '../lib/auth/tokens';
import { TOKEN_SCOPES, type TokenScope } from '../lib/auth/roles';

const USAGE = `usage: npm run -s token -- create NAME [--scope ${TOKEN_SCOPES.join('|')}] | list | revoke ID`;
const isScope = (s: string | undefined): s is TokenScope => (TOKEN_SCOPES as readonly string[]).includes(s ?? '');

runDbCommand(USAGE, async (db, [command, ...rest]) => {
  if (command === 'create') {
    const scopeAt = rest.indexOf('--scope');
    const scope = scopeAt >= 0 ? rest[scopeAt + 1] : 'admin';
    const name = rest.filter((_, i) => scopeAt < 0 || (i !== scopeAt && i !== scopeAt + 1)).join(' ').trim();
    if (!name || !isScope(scope)) throw new UsageError();
    const { token } = await createToken(db, { name, scopes: [scope] });
    process.stdout.write(token + '\n');
    return 0;
  }
  if (command === 'list') {
    for (const t of await listTokens(db)) {
      console.log(`${t.id}\t${t.prefix}…\t${t.name}\t${t.scopes.join(',')}\t${t.revokedAt ? 'revoked' : 'active'}`);
    }
    return 0;
  }
  if (command === 'revoke' && /^\d+$/.test(rest[0] ?? '')) {
    const t = await revokeToken(db, Number(rest[0]));
    if (!t) {
      console.error(`no token with id ${rest[0]}`);
      return 1;
    }
    console.error(`token ${t.id} (${t.name}) revoked`);
    return 0;
  }
  throw new UsageError();
});
