// Benchmark 2: Signal key store throughput and latency, the console's Prisma store (SQLite,
// PostgreSQL) against Baileys' useMultiFileAuthState, with a message flow's access pattern:
// per message, read the sender's session, write it back; every 10th message consumes a pre-key
// (read + delete) and writes a sender key.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { useMultiFileAuthState, type SignalDataTypeMap, type AuthenticationState } from '@whiskeysockets/baileys';
import { createTestDatabase } from '../test/support/databases';
import { loadDbAuthState } from '../lib/sessions/auth-state';
import { addPhone } from '../test/support/engine';

type Keys = AuthenticationState['keys'];

function sessionValue(i: number) {
  // Roughly the size of a serialized Signal session record.
  return { _sessions: { [`base${i}`]: { blob: Buffer.alloc(1200, i % 251).toString('base64') } }, version: 'v1' } as unknown as SignalDataTypeMap['session'];
}

async function workload(keys: Keys, messages: number) {
  const latencies: number[] = [];
  const timed = async (fn: () => unknown) => {
    const t = performance.now();
    await fn();
    latencies.push(performance.now() - t);
  };
  // Seed: 30 pre-keys and 50 contacts' sessions.
  await keys.set({ 'pre-key': Object.fromEntries(Array.from({ length: 30 }, (_, i) => [String(i + 1), { public: Buffer.alloc(32, i), private: Buffer.alloc(32, i) }])) });
  await keys.set({ session: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`1555000${i}.0`, sessionValue(i)])) });
  const t0 = performance.now();
  for (let m = 0; m < messages; m++) {
    const id = `1555000${m % 50}.0`;
    await timed(() => keys.get('session', [id]));
    await timed(() => keys.set({ session: { [id]: sessionValue(m) } }));
    if (m % 10 === 0) {
      const pk = String((m / 10) % 30 + 1);
      await timed(() => keys.get('pre-key', [pk]));
      await timed(() => keys.set({ 'pre-key': { [pk]: null }, 'sender-key': { [`g${m}::${id}`]: Buffer.alloc(200) as unknown as SignalDataTypeMap['sender-key'] } }));
    }
  }
  const totalMs = performance.now() - t0;
  latencies.sort((a, b) => a - b);
  return { ops: latencies.length, opsPerSec: Math.round(latencies.length / (totalMs / 1000)), p50Ms: Number(latencies[Math.floor(latencies.length * 0.5)].toFixed(3)), p99Ms: Number(latencies[Math.floor(latencies.length * 0.99)].toFixed(3)) };
}

export async function authStoreBenchmark(messages = 2000) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-files-'));
  const files = await useMultiFileAuthState(dir);
  const file = await workload(files.state.keys, messages);
  fs.rmSync(dir, { recursive: true, force: true });
  const result: Record<string, unknown> = { file };
  for (const provider of ['sqlite', 'postgresql'] as const) {
    const tdb = await createTestDatabase(provider);
    const phone = await addPhone(tdb.db, '77990000001@s.whatsapp.net');
    const store = await loadDbAuthState(tdb.db, phone.id);
    result[provider] = await workload(store.state.keys, messages);
    await tdb.drop();
  }
  const sqlite = result.sqlite as { opsPerSec: number };
  const pg = result.postgresql as { opsPerSec: number };
  result.ratio = { sqliteVsFile: Number((sqlite.opsPerSec / file.opsPerSec).toFixed(2)), postgresqlVsFile: Number((pg.opsPerSec / file.opsPerSec).toFixed(2)) };
  console.log(JSON.stringify(result));
  return result;
}
