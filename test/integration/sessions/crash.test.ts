// kill -9 while 20 phones receive traffic never loses or corrupts credentials: every phone logs in
// again without a new QR, and messages from the same contacts still decrypt afterwards (their
// Signal sessions and the device's keys survived the kill).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { startSimulator } from '../../../simulator';
import { awaitableLog } from '../../support/awaitable-log';
import { createTestDatabase, testProviders } from '../../support/databases';
import { addPhone } from '../../support/engine';
import { eventually } from '../../support/eventually';

const CRASH_PHONES = 20;
const FIXTURE = path.join(__dirname, 'fixtures', 'engine-process.ts');
/** Generous for a loaded 2-core machine: each wait is for one event that normally takes < 1 s. */
const WAIT_MS = 60_000;
const CONTACTS = ['15550001111@s.whatsapp.net', '15550002222@s.whatsapp.net'];

type Line = { type: string; state?: string; qr?: string; phoneId?: number; text?: string; from?: string; kind?: string };

function engineProcess(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const log = awaitableLog<Line>();
  const events = log.items;
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    let parsed: Line;
    try {
      parsed = JSON.parse(line);
    } catch {
      return;
    }
    log.push(parsed);
  });
  const waitFor = (pred: (e: Line) => boolean, what: string, timeoutMs = WAIT_MS) =>
    log.waitFor(pred, { timeoutMs, describe: () => `timed out waiting for ${what}; last events: ${JSON.stringify(events.slice(-5))}` });
  return { child, events, waitFor };
}

const exited = (child: ChildProcess) => (child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', r)));

for (const provider of testProviders()) {
  test(`${provider}: SIGKILL while 20 phones receive traffic, then all log in again without a QR and the same contacts' messages decrypt`, async (t) => {
    const pairingSim = await startSimulator({ port: 0 });
    const tdb = await createTestDatabase(provider);
    const children: ChildProcess[] = [];
    let sim = pairingSim;
    t.after(async () => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await Promise.all(children.map(exited));
      await pairingSim.close();
      await sim.close();
      await tdb.drop();
    });
    const jids = Array.from({ length: CRASH_PHONES }, (_, i) => `770788${String(i).padStart(5, '0')}@s.whatsapp.net`);
    const phones = await Promise.all(jids.map((jid) => addPhone(tdb.db, jid)));
    let env = { DATABASE_URL: tdb.url, SIM_URL: sim.url };

    // Pairing: one process pairs every phone (QR → scan), then dies without any goodbye.
    const pairing = engineProcess(['start-all'], env);
    children.push(pairing.child);
    await Promise.all(
      phones.map(async (phone) => {
        const qr = await pairing.waitFor((e) => e.type === 'qr' && e.phoneId === phone.id, `the QR of ${phone.phoneJid}`);
        await sim.scan(phone.phoneJid, qr.qr!);
        await pairing.waitFor((e) => e.type === 'state' && e.state === 'open' && e.phoneId === phone.id, `${phone.phoneJid} open after pairing`);
      }),
    );
    // `open` is emitted when WhatsApp accepts the device; the paired credentials are committed a
    // moment later (group commit). Kill only once every phone's are stored: this step is the set-up,
    // not the crash under test (a busy machine once left the last ones unwritten here).
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const rows = await tdb.db.authCreds.findMany({ where: { phoneId: { in: phones.map((p) => p.id) } }, select: { data: true } });
      if (rows.length === phones.length && rows.every((r) => JSON.parse(r.data).me?.id)) break;
      if (Date.now() > deadline) throw new Error('timed out waiting for the paired credentials to be stored');
      await new Promise((r) => setTimeout(r, 50));
    }
    pairing.child.kill('SIGKILL');
    await exited(pairing.child);
    // A fresh simulator does not know the devices' keys, so at login each device uploads one-time
    // pre-keys, and the contacts' first messages consume one. From then on a contact's messages
    // decrypt only with the session the device stored: a lost or half-written session (its
    // pre-key gone) makes them fail.
    await pairingSim.close();
    sim = await startSimulator({ port: 0 });
    env = { DATABASE_URL: tdb.url, SIM_URL: sim.url };
    const first = engineProcess(['boot'], env);
    children.push(first.child);
    for (const phone of phones) await first.waitFor((e) => e.type === 'state' && e.state === 'open' && e.phoneId === phone.id, `${phone.phoneJid} open at the first boot`);
    await eventually('every device to upload its pre-keys', () => jids.every((jid) => sim.events().some((e) => e.type === 'prekeys-uploaded' && e.phoneJid === jid && (e.detail as { count: number }).count > 0)), WAIT_MS, 5);

    // Traffic from two contacts on every phone; the kill lands while messages are being
    // decrypted and stored. An injection may only fail because its phone's connection died
    // with the process (404 "no live connection").
    const faultsBefore = sim.events().filter((e) => e.type === 'fault').length;
    let killed = false;
    const traffic = jids.flatMap((jid) =>
      CONTACTS.map((from) =>
        sim.inject(jid, { type: 'message', count: 20, text: 'traffic', from }).then(
          () => 'complete' as const,
          (err: { status?: number }) => {
            if (err?.status !== 404 || !killed) throw err;
            return 'cut' as const;
          },
        ),
      ),
    );
    await eventually('the first messages to be delivered', () => sim.events().filter((e) => e.type === 'fault').length - faultsBefore >= CRASH_PHONES * 3, WAIT_MS, 5);
    killed = true;
    first.child.kill('SIGKILL');
    await exited(first.child);
    const outcomes = await Promise.all(traffic);
    const decryptedBeforeKill = first.events.filter((e) => e.type === 'message').length;
    t.diagnostic(`traffic: ${outcomes.filter((o) => o === 'cut').length} of ${outcomes.length} streams cut by the kill; ${decryptedBeforeKill} messages decrypted before it`);
    assert.ok(outcomes.includes('cut'), 'the kill landed during the traffic');
    assert.ok(decryptedBeforeKill > 0, 'messages were being decrypted when the process died');
    assert.deepEqual(first.events.filter((e) => e.type === 'decrypt-failure'), [], 'no decryption failure before the kill');

    // Second life: boot restarts all of them, each logs in with its stored credentials.
    const second = engineProcess(['boot'], env);
    children.push(second.child);
    for (const phone of phones) await second.waitFor((e) => e.type === 'state' && e.state === 'open' && e.phoneId === phone.id, `${phone.phoneJid} open after the kill`);
    assert.equal(second.events.filter((e) => e.type === 'qr').length, 0, 'no new QR');
    for (const jid of jids) assert.equal(sim.phones().find((p) => p.phoneJid === jid)?.connections, 1, `${jid} has one connection`);

    // The same contacts write again: every message decrypts (no CIPHERTEXT stub, no retry receipt).
    const mark = sim.events().at(-1)?.seq ?? 0;
    await Promise.all(
      phones.flatMap((phone) =>
        CONTACTS.map(async (from) => {
          const text = `after the kill: ${from.split('@')[0]}`;
          assert.deepEqual(await sim.inject(phone.phoneJid, { type: 'message', count: 3, text, from }), { delivered: 3 });
          await eventually(`3 decrypted messages from ${from} on ${phone.phoneJid}`, () => {
            const failure = second.events.find((e) => e.type === 'decrypt-failure');
            if (failure) assert.fail(`a message failed to decrypt after the kill: ${JSON.stringify(failure)}`);
            return second.events.filter((e) => e.type === 'message' && e.phoneId === phone.id && e.from === from && e.text === text).length === 3;
          }, WAIT_MS, 5);
        }),
      ),
    );
    assert.deepEqual(second.events.filter((e) => e.type === 'decrypt-failure'), [], 'no decryption failure after the kill');
    assert.deepEqual(sim.events(mark).filter((e) => e.type === 'retry-receipt'), [], 'no phone asked a contact to resend');
  });
}
