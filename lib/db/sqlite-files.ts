// The SQLite file holds every Signal private key and the password hashes: it is created readable
// by its owner only (0600) in a folder only the owner can enter (0700, when the console creates
// it; an existing folder is left as the operator made it). SQLite gives its -wal/-shm/-journal
// files the database file's mode.
import fs from 'node:fs';
import path from 'node:path';

export const SQLITE_FILE_MODE = 0o600;
export const SQLITE_DIR_MODE = 0o700;

/** Absolute path of a `file:` URL (relative to the working directory). */
export function sqlitePath(url: string, base: string = process.cwd()): string {
  const file = url.replace(/^file:/, '').split('?')[0];
  return path.resolve(/*turbopackIgnore: true*/ base, file);
}

/** Creates the folder (0700) and the file (0600) if missing, and makes an existing file 0600. */
export function secureSqliteFile(url: string, base?: string): string {
  const file = sqlitePath(url, base);
  const dir = path.dirname(file);
  if (!fs.existsSync(dir)) {
    fs.mkdirSync(dir, { recursive: true, mode: SQLITE_DIR_MODE });
    fs.chmodSync(dir, SQLITE_DIR_MODE); // whatever the umask
  }
  fs.closeSync(fs.openSync(file, 'a', SQLITE_FILE_MODE));
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    try {
      fs.chmodSync(f, SQLITE_FILE_MODE);
    } catch {
      // not there
    }
  }
  return file;
}
