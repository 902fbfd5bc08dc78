// Every route file under app/api with the methods it exports (found on disk, so new routes are
// covered by the auth and fuzz tests without anyone listing them).
import fs from 'node:fs';
import path from 'node:path';

const API_DIR = path.resolve(__dirname, '../../app/api');
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** Every route file under app/api with the methods it exports; dynamic segments become `1`. */
export function apiRoutes(): { path: string; methods: string[] }[] {
  const out: { path: string; methods: string[] }[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === 'route.ts') {
        const rel = path.relative(API_DIR, dir).split(path.sep);
        if (rel[0] === 'auth' || rel[0] === '[...path]') continue; // NextAuth's own; the JSON 404 catch-all
        const urlPath = '/api/' + rel.map((s) => (s.startsWith('[') ? '1' : s)).join('/');
        const source = fs.readFileSync(full, 'utf8');
        const methods = METHODS.filter((m) => new RegExp(`export (const|async function|function) ${m}\\b|as ${m}\\b`).test(source));
        out.push({ path: urlPath.replace(/\/$/, ''), methods });
      }
    }
  };
  walk(API_DIR);
  return out;
}

