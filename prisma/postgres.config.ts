// Prisma CLI config for PostgreSQL: JS schema engine through the pg adapter.
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';
import { pgCliPoolConfig } from './pg-cli';

const url = process.env.DATABASE_URL;
if (!url?.startsWith('postgres')) throw new Error('DATABASE_URL must be a postgresql:// URL for this config');

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join(__dirname, 'postgres'),
  migrations: { path: path.join(__dirname, 'postgres', 'migrations') },
  adapter: async () => new PrismaPg(pgCliPoolConfig(url)),
});
