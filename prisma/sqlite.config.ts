// Prisma CLI config for SQLite: JS schema engine through the libsql adapter (no native download).
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { PrismaLibSQL } from '@prisma/adapter-libsql';
import { sqliteFileUrl } from './database-url';

const url = process.env.DATABASE_URL ?? 'file:./data/console.db';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join(__dirname, 'sqlite'),
  migrations: { path: path.join(__dirname, 'sqlite', 'migrations') },
  adapter: async () => new PrismaLibSQL({ url: sqliteFileUrl(url) }),
});
