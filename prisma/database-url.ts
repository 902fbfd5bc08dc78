import path from 'node:path';

/** Resolves a `file:` URL relative to the working directory into an absolute `file:` URL. */
export function sqliteFileUrl(url: string): string {
  const file = url.replace(/^file:/, '');
  return 'file:' + (path.isAbsolute(file) ? file : path.resolve(/*turbopackIgnore: true*/ process.cwd(), file));
}
