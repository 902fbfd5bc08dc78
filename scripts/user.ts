// `npm run -s user -- list | add EMAIL [--role admin|viewer] | role EMAIL admin|viewer | password EMAIL | delete EMAIL | sign-out EMAIL`
// Manages console users on the database named by DATABASE_URL (migrating it first). `password`
// reads the new password from the NEW_PASSWORD env var or, else, the first line of stdin, so it
// never appears in the process list. Role and password changes, deletion and sign-out end the
// user's sign-in sessions at once. `add` creates a user (role viewer unless --role says otherwise)
// with a generated one-time password, printed once on stdout (the rest goes to stderr).
import { parseConfig } from '../lib/config';
import { migrateDeploy } from '../lib/db/migrate';
import { createDb } from '../lib/db/client';
import { parseRole } from '../lib/auth/roles';
import { inviteUser } from '../lib/auth/user-admin';
import { deleteUser, endUserSessions, findUserByEmail, listUsers, setUserPassword, setUserRole } from '../lib/auth/users';

const USAGE = 'usage: npm run -s user -- list | add EMAIL [--role admin|viewer] | role EMAIL admin|viewer | password EMAIL | delete EMAIL | sign-out EMAIL';

async function readStdinLine(): Promise<string> {
  let data = '';
  for await (const chunk of process.stdin) {
    data += chunk;
    if (data.includes('\n')) break;
  }
  return data.split('\n')[0].replace(/\r$/, '');
}

async function main(): Promise<number> {
  const [command, email, arg] = process.argv.slice(2);
  const config = parseConfig({ ...process.env, DATABASE_URL: process.env.DATABASE_URL || 'file:./data/console.db' });
  await migrateDeploy(config.DATABASE_URL);
  const db = createDb(config.DATABASE_URL);
  try {
    if (command === 'list') {
      for (const u of await listUsers(db)) console.log(`${u.id}\t${u.email}\t${u.role}`);
      return 0;
    }
    if (command === 'add') {
      const flag = process.argv.slice(4);
      const role = flag.length === 0 ? 'viewer' : flag[0] === '--role' ? parseRole(flag[1]) : null;
      if (!email || !role || flag.length > 2 || !/^[^\s@]+@[^\s@]+$/.test(email)) {
        console.error(USAGE);
        return 2;
      }
      // Audited as 'system': whoever can run this command holds the database itself.
      const { user, password } = await inviteUser(db, { email, role }, null);
      console.error(`${user.email} added as ${user.role}; their one-time password (shown once):`);
      console.log(password);
      return 0;
    }
    if (!email || !['role', 'password', 'delete', 'sign-out'].includes(command)) {
      console.error(USAGE);
      return 2;
    }
    const user = await findUserByEmail(db, email);
    if (!user) {
      console.error(`no user with email ${email}`);
      return 1;
    }
    if (command === 'role') {
      const role = parseRole(arg);
      if (!role) {
        console.error(USAGE);
        return 2;
      }
      await setUserRole(db, user.id, role);
      console.error(`${user.email} is now ${role}; their sessions have ended`);
    } else if (command === 'password') {
      const password = process.env.NEW_PASSWORD || (await readStdinLine());
      if (password.length < 8) {
        console.error('the password must have at least 8 characters');
        return 2;
      }
      await setUserPassword(db, user.id, password);
      console.error(`password of ${user.email} changed; their sessions have ended`);
    } else if (command === 'delete') {
      await deleteUser(db, user.id);
      console.error(`${user.email} deleted`);
    } else {
      await endUserSessions(db, user.id);
      console.error(`sessions of ${user.email} ended`);
    }
    return 0;
  } finally {
    await db.$disconnect();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
