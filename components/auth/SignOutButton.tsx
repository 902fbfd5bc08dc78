'use client';

import { signOut } from 'next-auth/react';

export function SignOutButton({ label = 'Sign out' }: { label?: string }) {
  return (
    <button type="button" data-testid="sign-out" onClick={() => signOut({ callbackUrl: '/login' })}
      className="rounded border border-gray-300 px-3 py-1 text-sm hover:bg-gray-100 dark:border-gray-700 dark:hover:bg-gray-800">
      {label}
    </button>
  );
}
