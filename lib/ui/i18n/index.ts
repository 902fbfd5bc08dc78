import { en, type MessageKey } from './en';
import { ru } from './ru';

export const LOCALES = ['en', 'ru'] as const;
export type Locale = (typeof LOCALES)[number];
export type { MessageKey };

const catalogs: Record<Locale, Record<MessageKey, string>> = { en, ru };

/** Picks the locale: the `lang` cookie, else the first supported Accept-Language entry, else en. */
export function pickLocale(cookie: string | undefined, acceptLanguage: string | null): Locale {
  if (cookie === 'en' || cookie === 'ru') return cookie;
  for (const part of (acceptLanguage ?? '').split(',')) {
    const tag = part.split(';')[0].trim().toLowerCase().slice(0, 2);
    if (tag === 'ru' || tag === 'en') return tag;
  }
  return 'en';
}

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function translator(locale: Locale): Translate {
  const catalog = catalogs[locale];
  return (key, vars) => catalog[key].replace(/\{(\w+)\}/g, (_, name) => String(vars?.[name] ?? `{${name}}`));
}

/** Formats a date per locale; '—' for none. */
export function formatDate(locale: Locale, iso: string | null): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(locale === 'ru' ? 'ru-RU' : 'en-GB', { dateStyle: 'short', timeStyle: 'medium' }).format(new Date(iso));
}

/** A word as a label starts: "closed" → "Closed" (the status filter's options beside "Status: All"). */
export function capitalized(locale: Locale, word: string): string {
  return word.charAt(0).toLocaleUpperCase(locale) + word.slice(1);
}

export function formatNumber(locale: Locale, n: number): string {
  return new Intl.NumberFormat(locale === 'ru' ? 'ru-RU' : 'en-US').format(n);
}

/** The server's own message, in the UI language when the catalog knows it (else as sent). */
export function serverMessage(t: Translate, message: string): string {
  const key = `server.${message}`;
  return key in catalogs.en ? t(key as MessageKey) : message;
}

/** True for a key of the message catalogs (for keys built at run time, e.g. from an error code). */
export function isMessageKey(key: string): key is MessageKey {
  return key in catalogs.en;
}
