// The request's locale, for server components (cookie `lang`, else Accept-Language).
import { cookies, headers } from 'next/headers';
import { pickLocale, type Locale } from './i18n';

export async function requestLocale(): Promise<Locale> {
  const [c, h] = await Promise.all([cookies(), headers()]);
  return pickLocale(c.get('lang')?.value, h.get('accept-language'));
}
