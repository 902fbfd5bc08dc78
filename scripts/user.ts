// `npm run -s user -- list | add EMAIL [--role admin|viewer] | role EMAIL admin|viewer | password EMAIL | delete EMAIL | sign-out EMAIL`
// Manages console users on the database named by DATABASE_URL (migrating it first). `password`
// reads the new password from the NEW_PASSWORD env var or, else, the first line of stdin, so it
// never appears in the process list. Role and password changes, deletion and sign-out end the
// user's sign-in sessions at once. `add` creates a user (role viewer unless --role says otherwise)
// with a generated one-time password, printed once on stdout (the rest goes to stderr).
import { runDbCommand, UsageError } from './cli';
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

runDbCommand(USAGE, async (db, [command, email, arg, ...rest]) => {
  if (command === 'list') {
    for (const u of await listUsers(db)) console.log(`${u.id}\t${u.email}\t${u.role}`);
    return 0;
  }
  if (command === 'add') {
    const flag = [arg, ...rest].filter((x) => x !== undefined);
    const role = flag.length === 0 ? 'viewer' : flag[0] === '--role' ? parseRole(flag[1]) : null;
    if (!email || !role || flag.length > 2 || !/^[^\s@]+@[^\s@]+$/.test(email)) throw new UsageError();
    // Audited as 'system': whoever can run this command holds the database itself.
    const { user, password } = await inviteUser(db, { email, role }, null);
    console.error(`${user.email} added as ${user.role}; their one-time password (shown once):`);
    console.log(password);
    return 0;
  }
  if (!email || !['role', 'password', 'delete', 'sign-out'].includes(command)) throw new UsageError();
  const user = await findUserByEmail(db, email);
  if (!user) {
    console.error(`no user with email ${email}`);
    return 1;
  }
  if (command === 'role') {
    const role = parseRole(arg);
    if (!role) throw new UsageError();
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
});
