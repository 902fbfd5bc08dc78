export type DbProvider = 'sqlite' | 'postgresql';

/** `file:` URLs are SQLite; everything else accepted by config is PostgreSQL. */
export function providerOf(url: string): DbProvider {
  return url.startsWith('file:') ? 'sqlite' : 'postgresql';
}
