// `npm run bench -- messages` (issue 24): messages through the real console (built, `next start`,
// its engine and the real Baileys client) to the simulator's contacts, who decrypt them, the
// server acking each and the contacts sending delivery receipts at once. Measured: messages per
// second through one phone, through 4 phones and through many (BENCH_MESSAGES_PHONES, default 100;
// submitted all at once through the API: the queue's throughput), the API's accept latency
// (POST → 202, stored) p50/p99, and submit → server ack / submit → delivered from the stored
// times; the latency of a lone message (one at a time, no queue) and the console's CPU per message.
// Against bare Baileys in the same run: as many phones of their own (messages-bare-worker.ts,
// another process) send as many messages with `sock.sendMessage`, samples alternating which side
// goes first; CPU per message console / bare is the ratio (target ≤ 1.25×). Inbound:
// contacts send to the many phones through the simulator at BENCH_MESSAGES_INBOUND_RATE (500/s)
// and an organization webhook receiver on loopback times contact send → webhook delivered.
// The pace is off (MESSAGE_PHONE_INTERVAL_MS and MESSAGE_RECIPIENT_INTERVAL_MS 0): the figure is
// the engine's ceiling, one message in flight per phone, not the configured pace.
import fs from 'node:fs';
import { AssertionError } from 'node:assert';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { spawn } from 'node:child_process';
import { startSimulator } from '../simulator';
import { startConsole } from '../test/support/console-server';
import { createTestDatabase } from '../test/support/databases';
import { pairForNodes } from '../test/support/pairing';
import { simMessaging } from '../test/support/sim-messaging';
import { startWebhookReceiver } from '../test/support/webhook-receiver';
import { contactJid, phoneJid } from './messages-jids';
import { eventually } from '../test/support/eventually';
import { createToken } from '../lib/auth/tokens';
import { percentile } from '../lib/messages/traffic';
import type { DbProvider } from '../lib/db/provider';
import type { Db } from '../lib/db/client';

/** The process's CPU time (user + system) in ms, from /proc (Linux; null elsewhere). */
function cpuMs(pid: number): number | null {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

const ms = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);
const p = (values: number[], q: number) => ms(percentile([...values].sort((a, b) => a - b), q));

interface Submitted {
  phoneId: number;
  id: string;
  acceptMs: number;
}

/** The bare side's worker process (messages-bare-worker.ts): JSON lines out, commands in. */
function bareWorker(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'messages-bare-worker.ts'), ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout });
  const queued: Record<string, unknown>[] = [];
  const waiting: ((m: Record<string, unknown>) => void)[] = [];
  lines.on('line', (l) => {
    let m: Record<string, unknown>;
    try {
      m = JSON.parse(l);
    } catch {
      return; // not ours (a library printing)
    }
    const w = waiting.shift();
    if (w) w(m);
    else queued.push(m);
  });
  const exited = new Promise<never>((_, reject) => child.once('close', (code) => reject(new Error(`bare worker exited (${code})`))));
  exited.catch(() => {});
  return {
    next: (phase: string) =>
      Promise.race([
        exited,
        new Promise<Record<string, unknown>>((resolve) => (queued.length ? resolve(queued.shift()!) : waiting.push(resolve))).then((m) => {
          if (m.phase !== phase) throw new Error(`bare worker: expected ${phase}, got ${JSON.stringify(m)}`);
          return m;
        }),
      ]),
    send: (line: string) => child.stdin.write(line + '\n'),
    kill: () => child.kill('SIGKILL'),
  };
}

/** Where the run is (a long one should not look hung). */
const progress = (what: string) => console.log(`messages: ${what} (${new Date().toISOString()})`);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return ms(s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2)!;
};

export async function messagesBenchmark(opts: { onePhone?: number; perPhoneOfFour?: number; lone?: number; provider?: DbProvider } = {}) {
  const onePhone = opts.onePhone ?? Number(process.env.BENCH_MESSAGES_ONE_PHONE ?? 100);
  const perPhoneOfFour = opts.perPhoneOfFour ?? Number(process.env.BENCH_MESSAGES_PER_PHONE_OF_FOUR ?? 40);
  const lone = opts.lone ?? Number(process.env.BENCH_MESSAGES_LONE ?? 20);
  const provider = opts.provider ?? ((process.env.BENCH_MESSAGES_DB as DbProvider | undefined) ?? 'postgresql');
  /** the many-phones section: its phones (both sides), messages per phone per sample, samples */
  const manyPhones = Math.max(4, Number(process.env.BENCH_MESSAGES_PHONES ?? 100));
  const perPhoneOfMany = Number(process.env.BENCH_MESSAGES_PER_PHONE_OF_MANY ?? 5);
  const samples = Number(process.env.BENCH_MESSAGES_SAMPLES ?? 2);
  /** inbound: messages contacts send, at this rate per second */
  const inbound = Number(process.env.BENCH_MESSAGES_INBOUND ?? 1500);
  const inboundRate = Number(process.env.BENCH_MESSAGES_INBOUND_RATE ?? 500);
  /** HTTP requests in flight while submitting (a script or service posting in parallel) */
  const concurrency = 16;
  const contactsPerPhone = 5;
  const run = String(process.pid % 10_000).padStart(4, '0');
  const phoneJids = Array.from({ length: manyPhones }, (_, i) => phoneJid(`7795${run}`, i));
  const contacts = (phone: number) => Array.from({ length: contactsPerPhone }, (_, c) => contactJid(`1556${run}`, phone, c));

  const sim = await startSimulator({ port: 0 });
  const database = await createTestDatabase(provider);
  const hook = await startWebhookReceiver();
  const bareDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-messages-bare-'));
  const bareArgs = (step: string) => [step, String(manyPhones), sim.url, sim.controlUrl, `7796${run}`, `1557${run}`, bareDir];
  let server: Awaited<ReturnType<typeof startConsole>> | null = null;
  let bare: ReturnType<typeof bareWorker> | null = null;
  try {
    // Receipts: delivery at once, never read (the defaults): `delivered` is the last status.
    await simMessaging(sim.controlUrl).configure({ receipts: { delivery: 0, read: 'never' }, ack: true });
    // Both sides' phones paired at once (not measured): the console's through its session manager,
    // the bare side's with their own files.
    const barePairing = bareWorker(bareArgs('pair'));
    const [phones] = await Promise.all([pairForNodes(database.db, sim, phoneJids), barePairing.next('paired')]);
    progress(`paired ${manyPhones} phones on each side`);
    server = await startConsole({
      database,
      env: {
        WA_WEBSOCKET_URL: sim.url,
        SIMULATOR_URL: sim.controlUrl,
        LOG_LEVEL: 'warn',
        MESSAGE_PHONE_INTERVAL_MS: '0',
        MESSAGE_RECIPIENT_INTERVAL_MS: '0',
      },
    });
    const { token } = await createToken(database.db, { name: 'bench-messages', scopes: ['messages', 'read'] });
    const url = server.url;
    const post = async (phoneId: number, to: string, text: string): Promise<Submitted> => {
      const t0 = performance.now();
      const res = await fetch(`${url}/api/sessions/${phoneId}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ to, text }),
      });
      const body = (await res.json()) as { id?: string };
      if (res.status !== 202 || !body.id) throw new Error(`POST messages: ${res.status} ${JSON.stringify(body)}`);
      return { phoneId, id: body.id, acceptMs: performance.now() - t0 };
    };
    // The phones' stored status is still `open` from the pairing: ask the console for its live state.
    await eventually(
      'every phone open on the console',
      async () => {
        const res = await fetch(`${url}/api/sessions?status=open&limit=1`, { headers: { authorization: `Bearer ${token}` } });
        return ((await res.json()) as { total?: number }).total === manyPhones || undefined;
      },
      300_000,
      500,
    );
    progress('every phone open on the console');
    bare = bareWorker(bareArgs('send'));

    // Warm-up (routes compiled, sockets' first prekey fetches for the contacts), not measured:
    // every contact of the first 4 phones, the first contact of the others.
    const warm = await Promise.all(phones.flatMap((ph, i) => (i < 4 ? contacts(i) : contacts(i).slice(0, 1)).map((c) => post(ph.id, c, 'warm-up'))));
    await waitFor(database.db, warm, 'delivered');
    await bare.next('ready');
    progress('warmed up, both sides');

    // A lone message at a time: the latency without a queue.
    const loneRows: Submitted[] = [];
    for (let i = 0; i < lone; i++) {
      const one = await post(phones[0].id, contacts(0)[i % contactsPerPhone], `lone ${i}`);
      await waitFor(database.db, [one], 'delivered', 5);
      loneRows.push(one);
    }
    const loneTimes = await storedTimes(database.db, loneRows);

    /** `count` messages for each of the first `phoneCount` phones, spread over `perPhoneContacts` contacts each. */
    const phase = async (count: number, phoneCount: number, perPhoneContacts = contactsPerPhone) => {
      const jobs = Array.from({ length: count * phoneCount }, (_, i) => ({ phone: phones[i % phoneCount], contact: contacts(i % phoneCount)[Math.floor(i / phoneCount) % perPhoneContacts], i }));
      const cpu0 = server ? cpuMs(server.pid) : null;
      const t0 = performance.now();
      const submitted: Submitted[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < jobs.length) {
            const job = jobs[next++];
            submitted.push(await post(job.phone.id, job.contact, `bench ${job.i}`));
          }
        }),
      );
      const acceptedMs = performance.now() - t0;
      const ackedMs = (await waitFor(database.db, submitted, 'sent')) - t0;
      // The CPU of the same work as the bare side's (submit to every server ack).
      const cpuAcked = server ? cpuMs(server.pid) : null;
      const deliveredMs = (await waitFor(database.db, submitted, 'delivered')) - t0;
      const cpu1 = server ? cpuMs(server.pid) : null;
      const times = await storedTimes(database.db, submitted);
      const accept = submitted.map((s) => s.acceptMs);
      return {
        phones: phoneCount,
        messages: submitted.length,
        submitPerSec: Math.round(submitted.length / (acceptedMs / 1000)),
        ackedPerSec: Math.round(submitted.length / (ackedMs / 1000)),
        deliveredPerSec: Math.round(submitted.length / (deliveredMs / 1000)),
        acceptP50Ms: p(accept, 50),
        acceptP99Ms: p(accept, 99),
        submitToAckP50Ms: p(times.ack, 50),
        submitToAckP99Ms: p(times.ack, 99),
        submitToDeliveredP50Ms: p(times.delivered, 50),
        submitToDeliveredP99Ms: p(times.delivered, 99),
        consoleCpuMsPerMessage: cpu0 === null || cpu1 === null ? null : ms((cpu1 - cpu0) / submitted.length),
        consoleCpuMsPerMessageToAck: cpu0 === null || cpuAcked === null ? null : ms((cpuAcked - cpu0) / submitted.length),
      };
    };
    progress('lone messages done');
    const single = await phase(onePhone, 1);
    const four = await phase(perPhoneOfFour, 4);

    // Many phones, console against bare Baileys, alternating which goes first.
    const bareRound = async () => {
      bare!.send(`round ${perPhoneOfMany}`);
      const r = (await bare!.next('round')) as { messages: number; ms: number; cpuMs: number; ackMs: number[]; reopened: number };
      return {
        phones: manyPhones,
        messages: r.messages,
        ackedPerSec: Math.round(r.messages / (r.ms / 1000)),
        sendToAckP50Ms: p(r.ackMs, 50),
        sendToAckP99Ms: p(r.ackMs, 99),
        cpuMsPerMessage: ms(r.cpuMs / r.messages),
        /** sockets that closed during the round and were opened again (their broken send sent again) */
        reopened: r.reopened,
      };
    };
    const manyRuns: { order: string[]; console: Awaited<ReturnType<typeof phase>>; bare: Awaited<ReturnType<typeof bareRound>> }[] = [];
    for (let s = 0; s < samples; s++) {
      const order = s % 2 === 0 ? ['console', 'bare'] : ['bare', 'console'];
      let c: Awaited<ReturnType<typeof phase>> | null = null;
      let b: Awaited<ReturnType<typeof bareRound>> | null = null;
      for (const side of order) {
        if (side === 'console') c = await phase(perPhoneOfMany, manyPhones, 1);
        else b = await bareRound();
      }
      manyRuns.push({ order, console: c!, bare: b! });
      console.log(JSON.stringify({ sample: s, order, console: { ackedPerSec: c!.ackedPerSec, cpu: c!.consoleCpuMsPerMessageToAck }, bare: { ackedPerSec: b!.ackedPerSec, cpu: b!.cpuMsPerMessage } }));
    }
    bare.send('stop');
    const med = (f: (r: (typeof manyRuns)[number]) => number | null) => median(manyRuns.map((r) => f(r) ?? NaN));
    const consoleCpu = med((r) => r.console.consoleCpuMsPerMessageToAck);
    const bareCpu = med((r) => r.bare.cpuMsPerMessage);
    const ratios = manyRuns.map((r) => (r.console.consoleCpuMsPerMessageToAck ?? NaN) / (r.bare.cpuMsPerMessage ?? NaN));
    const many = {
      phones: manyPhones,
      messagesPerSample: manyPhones * perPhoneOfMany,
      samples,
      runs: manyRuns,
      consoleAckedPerSecMedian: med((r) => r.console.ackedPerSec),
      consoleDeliveredPerSecMedian: med((r) => r.console.deliveredPerSec),
      consoleSubmitToAckP50MsMedian: med((r) => r.console.submitToAckP50Ms),
      consoleSubmitToAckP99MsMedian: med((r) => r.console.submitToAckP99Ms),
      bareAckedPerSecMedian: med((r) => r.bare.ackedPerSec),
      bareSendToAckP50MsMedian: med((r) => r.bare.sendToAckP50Ms),
      bareSendToAckP99MsMedian: med((r) => r.bare.sendToAckP99Ms),
      consoleCpuMsPerMessageMedian: consoleCpu,
      bareCpuMsPerMessageMedian: bareCpu,
      cpuRatio: Number((consoleCpu / bareCpu).toFixed(2)),
      cpuRatioMin: Number(Math.min(...ratios).toFixed(2)),
      cpuRatioMax: Number(Math.max(...ratios).toFixed(2)),
    };

    // Inbound: the organization's webhook on loopback; contacts of the many phones send at the
    // target rate (not waiting for one another), each timed from its send to its webhook.
    const admin = await server.createToken('admin');
    const res = await fetch(`${url}/api/organizations/${phones[0].organizationId}/webhook`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: hook.url, secret: 'bench-messages-webhook-secret' }),
    });
    if (res.status !== 200) throw new Error(`PUT webhook: ${res.status}`);
    progress('many phones done; inbound');
    const msg = simMessaging(sim.controlUrl);
    const sentAt = new Map<string, number>();
    const sends: Promise<void>[] = [];
    const in0 = Date.now();
    for (let i = 0; i < inbound; i++) {
      const due = in0 + (i * 1000) / inboundRate;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      const phone = i % manyPhones;
      sends.push(
        (async () => {
          const at = Date.now();
          const { id } = await msg.send(contactJid(`1556${run}`, phone).replace('@s.whatsapp.net', ''), { to: phoneJids[phone], text: `in ${i}` });
          sentAt.set(id, at);
        })(),
      );
    }
    const issuedMs = Date.now() - in0;
    await Promise.all(sends);
    const sentMs = Date.now() - in0;
    const firstHook = new Map<string, number>();
    await eventually(
      `${inbound} message.received webhooks`,
      async () => {
        for (const r of hook.received) {
          const id = (r.json.message as { id?: string } | undefined)?.id;
          if (r.json.type === 'message.received' && id && sentAt.has(id) && !firstHook.has(id)) firstHook.set(id, r.at);
        }
        return firstHook.size === inbound || undefined;
      },
      300_000,
      100,
    );
    const lastHook = Math.max(...firstHook.values());
    const inLatency = [...firstHook].map(([id, at]) => at - sentAt.get(id)!);
    const inboundResult = {
      messages: inbound,
      phones: manyPhones,
      targetPerSec: inboundRate,
      issuedPerSec: Math.round(inbound / (issuedMs / 1000)),
      sentPerSec: Math.round(inbound / (sentMs / 1000)),
      webhookPerSec: Math.round(inbound / ((lastHook - in0) / 1000)),
      sendToWebhookP50Ms: p(inLatency, 50),
      sendToWebhookP99Ms: p(inLatency, 99),
    };

    // Every message reached its contact once, under its stored id.
    const inboxes = await Promise.all(phones.flatMap((_, i) => (i < 4 ? contacts(i) : contacts(i).slice(0, 1)).map((c) => simMessaging(sim.controlUrl).inbox(c.replace('@s.whatsapp.net', '')))));
    const entries = inboxes.flat();
    const twice = entries.filter((e) => e.times > 1).length;
    // A resend under the same id is shown once. Why it happened: the contact could not decrypt an
    // arrival and asked again (a retry receipt: Baileys encrypts it anew and resends), or the
    // console sent it again itself (its stored attempts above 1: an ack timeout or a hand-over).
    const resent = entries.filter((e) => e.times > 1);
    const attempts = resent.length
      ? await database.db.message.findMany({ where: { messageId: { in: resent.map((e) => e.id) }, direction: 'out' }, select: { attempts: true } })
      : [];
    const count = <T,>(xs: T[]) => Object.fromEntries([...xs.reduce((m, x) => m.set(String(x), (m.get(String(x)) ?? 0) + 1), new Map<string, number>())].sort());
    const resends = {
      withRetryReceipt: resent.filter((e) => e.retries > 0).length,
      consoleAttempts: count(attempts.map((a) => a.attempts)),
    };
    return {
      method: `built console (next start) on ${provider === 'postgresql' ? 'PostgreSQL' : 'SQLite'}, the real Baileys client, the simulator's contacts decrypting each message (server ack, delivery receipt at once, never read); pace off (MESSAGE_PHONE_INTERVAL_MS=0, MESSAGE_RECIPIENT_INTERVAL_MS=0); texts posted through POST /api/sessions/:id/messages with ${concurrency} requests in flight, ${contactsPerPhone} contacts per phone (one per phone in the many-phones section); acked = WhatsApp's server ack stored (status sent), delivered = the contact's receipt stored; latencies from the stored times (createdAt → ackedAt, deliveredAt), accept = the POST's round trip; lone = one message at a time, each waited for. Console CPU from /proc of the next start process (PostgreSQL's own CPU not counted); in the many-phones comparison it is taken from the first submit to the last server ack, the bare side's over the same span. Inbound: POST /contacts/:n/send to the simulator at the target rate, one contact per phone, latency = the contact's send (just before the request) → the message.received webhook answered by a receiver on 127.0.0.1`,
      comparedWith: `bare Baileys in the same run: ${manyPhones} phones of its own (useMultiFileAuthState behind makeCacheableSignalKeyStore, the console's socket settings) in a process of its own against the same simulator, each sending its share with sock.sendMessage one at a time, the next after the server ack (the console's one in flight per phone); CPU from process.cpuUsage over the round; ${samples} samples, alternating which side goes first; ratio = median console / median bare`,
      lone: { messages: lone, submitToAckP50Ms: p(loneTimes.ack, 50), submitToDeliveredP50Ms: p(loneTimes.delivered, 50), acceptP50Ms: p(loneRows.map((r) => r.acceptMs), 50) },
      onePhone: single,
      fourPhones: four,
      manyPhones: many,
      inbound: inboundResult,
      contactInboxEntries: entries.length,
      arrivedMoreThanOnce: twice,
      resends,
    };
  } finally {
    bare?.kill();
    await server?.stop();
    await sim.close();
    await hook.close();
    await database.drop();
    fs.rmSync(bareDir, { recursive: true, force: true });
  }
}

const REACHED: Record<'sent' | 'delivered', string[]> = { sent: ['sent', 'delivered', 'read'], delivered: ['delivered', 'read'] };

/** Waits until every message reached `status` (or a later one); returns performance.now() then. Fails on a failed message. */
async function waitFor(db: Db, rows: Submitted[], status: 'sent' | 'delivered', intervalMs = 20): Promise<number> {
  const ids = rows.map((r) => r.id);
  await eventually(
    `${rows.length} messages ${status}`,
    async () => {
      const failed = await db.message.count({ where: { messageId: { in: ids }, status: 'failed' } });
      if (failed) throw new AssertionError({ message: `${failed} messages failed` });
      const n = await db.message.count({ where: { messageId: { in: ids }, status: { in: REACHED[status] } } });
      return n === ids.length || undefined;
    },
    // 120 s, more for a big batch (1,000 phones' warm-up: a first message to each contact).
    Math.max(120_000, rows.length * 200),
    intervalMs,
  );
  return performance.now();
}

/** submit → server ack and submit → delivered of each message, from the stored times (the console's clock). */
async function storedTimes(db: Db, rows: Submitted[]) {
  const stored = await db.message.findMany({ where: { messageId: { in: rows.map((r) => r.id) } }, select: { createdAt: true, ackedAt: true, deliveredAt: true } });
  return {
    ack: stored.filter((r) => r.ackedAt).map((r) => r.ackedAt!.getTime() - r.createdAt.getTime()),
    delivered: stored.filter((r) => r.deliveredAt).map((r) => r.deliveredAt!.getTime() - r.createdAt.getTime()),
  };
}
