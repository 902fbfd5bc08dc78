// Issue 27.16: the demo's sign-in line. The first run shows the generated password once; a later
// run, which cannot show it again, says how to set a new one (naming the demo's database when it
// is not the default one `npm run user` opens); a password the operator supplied is never printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signInWith } from '../../../scripts/demo';

test('the sign-in line: the generated password once, then how to reset it; never an operator password', () => {
  assert.equal(signInWith('admin@example.com', 'Gen3rated', false), 'password Gen3rated (generated, shown this once)');
  assert.equal(signInWith('admin@example.com', null, true), 'the password from ADMIN_PASSWORD');
  const later = signInWith('admin@example.com', null, false);
  assert.match(later, /forgot it\? run npm run -s user -- password admin@example\.com and type a new one/);
  const elsewhere = signInWith('ops@example.com', null, false, 'DATABASE_URL=postgresql://postgres@127.0.0.1:5432/wa_console_demo ');
  assert.match(elsewhere, /run DATABASE_URL=postgresql:\/\/postgres@127\.0\.0\.1:5432\/wa_console_demo npm run -s user -- password ops@example\.com/);
});
