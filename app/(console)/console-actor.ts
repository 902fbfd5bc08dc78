// The signed-in user of a console layout or page, checked like the API guard does (the user's row
// backs the cookie: not signed out, same role and password, not deleted, a known role); otherwise
// a redirect to /login. Every page calls it, not only the layout: on a client-side navigation
// Next renders just the page segment, without the layout. Once per request (React cache).
import { cache } from 'react';
import { getServerSession } from 'next-auth';
import { redirect } from 'next/navigation';
import { authOptions } from '@/lib/auth/options';
import { sessionActor } from '@/lib/auth/session';
import type { Actor } from '@/lib/auth/roles';
import { getDb } from '@/lib/db/client';
import { pageData } from '@/lib/http/request-outcome';

export const consoleActor = cache(async (): Promise<Actor> => {
  const session = await getServerSession(authOptions());
  const user = session?.user as { id?: unknown; email?: unknown; sv?: unknown } | undefined;
  const actor = user ? await pageData(sessionActor(getDb(), { sub: user.id, email: user.email, sv: user.sv })) : null;
  if (!actor) redirect('/login');
  return actor;
});
