// The console's one rule for times (issue 27.1): a relative time ("3 min ago") in the text, the
// exact time with its zone on hover, both in the user's locale. Pure functions (unit tested); the
// component that renders them is components/ui/RelativeTime.tsx.
import type { Locale } from './i18n';

/** The browser's locale when it speaks the UI's language ("en-US" for en), else the language's default. */
export function userLocale(ui: Locale, languages: readonly string[]): string {
  const own = languages.find((l) => l.toLowerCase() === ui || l.toLowerCase().startsWith(`${ui}-`));
  return own ?? (ui === 'ru' ? 'ru-RU' : 'en-US');
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86_400],
  ['month', 30 * 86_400],
  ['week', 7 * 86_400],
  ['day', 86_400],
  ['hour', 3600],
  ['minute', 60],
];

/** "3 min. ago", "in 2 hr.", "now" (under 45 s), in `locale`. */
export function relativeTime(locale: string, iso: string, now: number): string {
  const seconds = (new Date(iso).getTime() - now) / 1000;
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'short' });
  if (Math.abs(seconds) < 45) return rtf.format(0, 'second');
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return rtf.format(Math.trunc(seconds / size), unit);
  }
  return rtf.format(Math.trunc(seconds / 60) || Math.sign(seconds), 'minute');
}

/** The exact time with its zone: "12/5/2026, 11:58:03 PM EST" (en-US), "05.12.2026, 23:58:03 GMT+3" (ru-RU). */
export function exactTime(locale: string, iso: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'long', ...(timeZone ? { timeZone } : {}) }).format(new Date(iso));
}
