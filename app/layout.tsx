import './globals.css';
import type { ReactNode } from 'react';
import { headers } from 'next/headers';
import { requestLocale } from '@/app/server-locale';
import { THEME_SCRIPT } from '@/lib/ui/theme-script';

export const metadata = { title: 'WhatsApp session console' };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const locale = await requestLocale();
  // The pages' CSP allows inline scripts only with this request's nonce (made in proxy.ts).
  const nonce = (await headers()).get('x-nonce') ?? undefined;
  return (
    <html lang={locale} suppressHydrationWarning>
      <head>
        <script nonce={nonce} suppressHydrationWarning dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
      </head>
      <body className="min-h-screen bg-white text-gray-900 antialiased dark:bg-gray-950 dark:text-gray-100">{children}</body>
    </html>
  );
}
