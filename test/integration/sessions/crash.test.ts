// kill -9 while 20 phones receive traffic never loses or corrupts credentials: the phone logs in again
// without a new QR, and every auth row still parses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { BufferJSON } from '@whiskeysockets/baileys';
import { startSimulator } from '../../../simulator';
import { createTestDatabase, testProviders } from '../../support/databases';
import { addPhone } from '../../support/engine';

const CRASH_PHONES = 20;
const FIXTURE = path.join(__dirname, 'fixtures', 'engine-process.ts');

function engineProcess(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const events: { type: string; state?: string; qr?: string; phoneId?: number }[] = [];
  const waiters = new Set<() => void>();
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      events.push(JSON.parse(line));
    } catch {
      return;
    }
    for (const w of waiters) w();
  });
  const waitFor = (pred: (e: (typeof events)[number]) => boolean, timeoutMs = 30_000) =>
    new Promise<(typeof events)[number]>((resolve, reject) => {
      const check = () => {
        const hit = events.find(pred);
        if (hit) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
        }
      };
      const timer = setTimeout(() => reject(new Error(`timeout; events: ${JSON.stringify(events.slice(-5))}`)), timeoutMs);
      waiters.add(check);
      check();
    });
  return { child, events, waitFor };
}

const killed = (child: ChildProcess) => new Promise((r) => child.once('exit', r));

for (const provider of testProviders()) {
  test(`${provider}: SIGKILL while 20 phones receive traffic, then all log in again without a QR`, async (t) => {
    const sim = await startSimulator({ port: 0 });
    const tdb = await createTestDatabase(provider);
    const children: ChildProcess[] = [];
    t.after(async () => {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
      await sim.close();
      await tdb.drop();
    });
    const jids = Array.from({ length: CRASH_PHONES }, (_, i) => `770788${String(i).padStart(5, '0')}@s.whatsapp.net`);
    const phones = await Promise.all(jids.map((jid) => addPhone(tdb.db, jid)));
    const env = { DATABASE_URL: tdb.url, SIM_URL: sim.url };

    // Pairing: one process pairs every phone (QR → scan), then dies without any goodbye.
    const pairing = engineProcess(['start-all'], env);
    children.push(pairing.child);
    await Promise.all(
      phones.map(async (phone) => {
        const qr = await pairing.waitFor((e) => e.type === 'qr' && e.phoneId === phone.id);
        await sim.scan(phone.phoneJid, qr.qr!);
        await pairing.waitFor((e) => e.type === 'state' && e.state === 'open' && e.phoneId === phone.id);
      }),
    );
    pairing.child.kill('SIGKILL');
    await killed(pairing.child);
    const first = engineProcess(['boot'], env);
    children.push(first.child);
    for (const phone of phones) await first.waitFor((e) => e.type === 'state' && e.state === 'open' && e.phoneId === phone.id);
    // Traffic on every phone, and the kill lands while messages are being decrypted and stored.
    const traffic = Promise.allSettled(jids.map((jid) => sim.inject(jid, { type: 'message', count: 20, text: 'traffic' })));
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (sim.events().filter((e) => e.type === 'fault').length >= CRASH_PHONES * 3) {
          clearInterval(timer);
          resolve();
        }
      }, 5);
    });
    first.child.kill('SIGKILL');
    await killed(first.child);
    await traffic;

    // Second life: boot restarts both, each logs in with its stored credentials.
    const second = engineProcess(['boot'], env);
    children.push(second.child);
    for (const phone of phones) await second.waitFor((e) => e.type === 'state' && e.state === 'open' && e.phoneId === phone.id);
    assert.equal(second.events.filter((e) => e.type === 'qr').length, 0, 'no new QR');
    for (const jid of jids) assert.equal(sim.phones().find((p) => p.phoneJid === jid)?.connections, 1);
    // Every stored auth row parses.
    for (const row of await tdb.db.authCreds.findMany()) assert.ok(JSON.parse(row.data, BufferJSON.reviver).me?.id);
    for (const row of await tdb.db.authKey.findMany()) JSON.parse(row.data, BufferJSON.reviver);
    second.child.kill('SIGKILL');
    await killed(second.child);
  });
}
