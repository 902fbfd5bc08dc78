'use client';

import { signIn } from 'next-auth/react';
import { useRouter, useSearchParams } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { safeRedirectPath } from '@/lib/auth/safe-redirect';

export type LoginLabels = Record<'title' | 'subtitle' | 'email' | 'password' | 'submit' | 'submitting' | 'invalid', string>;

export function LoginForm({ labels }: { labels: LoginLabels }) {
  const router = useRouter();
  const params = useSearchParams();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setPending(true);
    setError(null);
    const res = await signIn('credentials', {
      email: String(form.get('email') ?? ''),
      password: String(form.get('password') ?? ''),
      redirect: false,
    }).catch(() => null);
    setPending(false);
    if (res?.ok && !res.error) {
      // Only a path on this origin (lib/auth/safe-redirect.ts): no `//host`, `/\host`, other origins.
      router.replace(safeRedirectPath(params.get('callbackUrl'), window.location.origin));
      router.refresh();
      return;
    }
    if (res?.status === 429 && res.error) setError(res.error);
    else if (res?.error && res.error !== 'CredentialsSignin') setError(res.error);
    else setError(labels.invalid);
  }

  return (
    <form
      onSubmit={onSubmit}
      className="w-full max-w-sm space-y-4 rounded-lg border border-gray-200 bg-white p-6 shadow-sm dark:border-gray-800 dark:bg-gray-900"
      aria-labelledby="login-title"
    >
      <h1 id="login-title" className="text-xl font-semibold">
        {labels.title}
      </h1>
      <p className="text-sm text-gray-600 dark:text-gray-400">{labels.subtitle}</p>
      <Field name="email" type="email" autoComplete="username" label={labels.email} />
      <Field name="password" type="password" autoComplete="current-password" label={labels.password} />
      {error && (
        <p role="alert" data-testid="login-error" className="rounded bg-red-50 px-3 py-2 text-sm text-red-700 dark:bg-red-950 dark:text-red-300">
          {error}
        </p>
      )}
      <button type="submit" disabled={pending} data-testid="login-submit"
        className="w-full rounded bg-emerald-700 px-3 py-2 font-medium text-white hover:bg-emerald-800 disabled:opacity-60">
        {pending ? labels.submitting : labels.submit}
      </button>
    </form>
  );
}

function Field({ name, type, autoComplete, label }: { name: 'email' | 'password'; type: string; autoComplete: string; label: string }) {
  return (
    <div className="space-y-1">
      <label htmlFor={name} className="block text-sm font-medium">
        {label}
      </label>
      <input id={name} name={name} type={type} required autoComplete={autoComplete} data-testid={`login-${name}`}
        className="w-full rounded border border-gray-300 px-3 py-2 dark:border-gray-700 dark:bg-gray-950" />
    </div>
  );
}
