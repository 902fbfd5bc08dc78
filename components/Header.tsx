'use client';

import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { SignOutButton } from './auth/SignOutButton';
import { ThemeSwitch } from './ThemeSwitch';
import type { Locale } from '@/lib/ui/i18n';

export function Header(props: { email: string; role: string; locale: Locale; labels: Record<'title' | 'sessions' | 'nodes' | 'alerts' | 'audit' | 'tokens' | 'webhooks' | 'users' | 'signOut' | 'role' | 'language' | 'nav', string> }) {
  const path = usePathname();
  const router = useRouter();
  const { labels } = props;
  const link = (href: string, label: string) => (
    <Link href={href} aria-current={path === href ? 'page' : undefined}
      className={`inline-block min-h-7 rounded px-2 py-1 ${path === href ? 'bg-gray-100 font-medium dark:bg-gray-800' : 'hover:bg-gray-50 dark:hover:bg-gray-900'}`}>
      {label}
    </Link>
  );
  const setLocale = (locale: string) => {
    document.cookie = `lang=${locale}; path=/; max-age=31536000; samesite=lax`;
    router.refresh();
  };
  return (
    <header className="border-b border-gray-200 dark:border-gray-800">
      <div className="mx-auto flex max-w-7xl flex-wrap items-center justify-between gap-3 px-4 py-3">
        <div className="flex flex-wrap items-center gap-3">
          <span className="font-semibold">{labels.title}</span>
          <nav className="flex flex-wrap gap-1 text-sm" aria-label={labels.nav}>
            {link('/', labels.sessions)}
            {link('/nodes', labels.nodes)}
            {link('/alerts', labels.alerts)}
            {link('/audit', labels.audit)}
            {link('/tokens', labels.tokens)}
            {link('/webhooks', labels.webhooks)}
            {props.role === 'admin' && link('/users', labels.users)}
          </nav>
        </div>
        <div className="flex flex-wrap items-center gap-3 text-sm">
          <label className="flex items-center gap-1">
            <span className="sr-only">{labels.language}</span>
            <select aria-label={labels.language} value={props.locale} onChange={(e) => setLocale(e.target.value)} data-testid="language-switch"
              className="min-h-7 rounded border border-gray-400 px-1 py-0.5 dark:border-gray-500 dark:bg-gray-950">
              <option value="en">English</option>
              <option value="ru">Русский</option>
            </select>
          </label>
          <ThemeSwitch />
          <span className="text-gray-700 dark:text-gray-300"><span data-testid="current-user">{props.email}</span> · {labels.role}</span>
          <SignOutButton label={labels.signOut} />
        </div>
      </div>
    </header>
  );
}
