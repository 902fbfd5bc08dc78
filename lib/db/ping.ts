import { getDb } from './client';

/** True when the database answers a trivial query within 2 s. */
export async function checkDatabase(): Promise<boolean> {
  try {
    await Promise.race([
      getDb().$queryRawUnsafe('SELECT 1'),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref()),
    ]);
    return true;
  } catch {
    return false;
  }
}
