// Server components' locale and page titles. Here, not in lib/: it reads the request through
// next/headers, and lib/ stays plain TypeScript.
import { cookies, headers } from 'next/headers';
import type { Metadata } from 'next';
import { pickLocale, translator, type Locale, type MessageKey } from '@/lib/ui/i18n';

/** The request's locale: cookie `lang`, else Accept-Language. */
export async function requestLocale(): Promise<Locale> {
  const [c, h] = await Promise.all([cookies(), headers()]);
  return pickLocale(c.get('lang')?.value, h.get('accept-language'));
}

/** A page's `generateMetadata` when its title is one message: "<title> · <app title>" in the request's locale. */
export const titledPage = (key: MessageKey) => async (): Promise<Metadata> => {
  const t = translator(await requestLocale());
  return { title: `${t(key)} · ${t('app.title')}` };
};
