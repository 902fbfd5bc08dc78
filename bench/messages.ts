// `npm run bench -- messages` (issue 24): messages through the real console (built, `next start`,
// its engine and the real Baileys client) to the simulator's contacts, who decrypt them, the
// server acking each and the contacts sending delivery receipts at once. Measured: messages per
// second through one phone and through 4 phones (submitted all at once through the API: the
// queue's throughput), the API's accept latency (POST → 202, stored) p50/p99, and submit →
// server ack / submit → delivered from the stored times; plus the latency of a lone message
// (one at a time, no queue) and the console's CPU per message. The pace is off
// (MESSAGE_PHONE_INTERVAL_MS and MESSAGE_RECIPIENT_INTERVAL_MS 0): the figure is the engine's
// ceiling, one message in flight per phone, not the configured pace. Short (well under a minute
// of measuring) so it runs beside the other sections.
import fs from 'node:fs';
import { AssertionError } from 'node:assert';
import { startSimulator } from '../simulator';
import { startConsole } from '../test/support/console-server';
import { createTestDatabase } from '../test/support/databases';
import { pairForNodes } from '../test/support/pairing';
import { simMessaging } from '../test/support/sim-messaging';
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

export async function messagesBenchmark(opts: { onePhone?: number; perPhoneOfFour?: number; lone?: number; provider?: DbProvider } = {}) {
  const onePhone = opts.onePhone ?? Number(process.env.BENCH_MESSAGES_ONE_PHONE ?? 100);
  const perPhoneOfFour = opts.perPhoneOfFour ?? Number(process.env.BENCH_MESSAGES_PER_PHONE_OF_FOUR ?? 40);
  const lone = opts.lone ?? Number(process.env.BENCH_MESSAGES_LONE ?? 20);
  const provider = opts.provider ?? ((process.env.BENCH_MESSAGES_DB as DbProvider | undefined) ?? 'postgresql');
  /** HTTP requests in flight while submitting (a script or service posting in parallel) */
  const concurrency = 16;
  const contactsPerPhone = 5;
  const run = String(process.pid % 10_000).padStart(4, '0');
  const phoneJids = [0, 1, 2, 3].map((i) => `7795${run}${String(i).padStart(3, '0')}@s.whatsapp.net`);
  const contacts = (phone: number) => Array.from({ length: contactsPerPhone }, (_, c) => `1556${run}${phone}${String(c).padStart(2, '0')}@s.whatsapp.net`);

  const sim = await startSimulator({ port: 0 });
  const database = await createTestDatabase(provider);
  let server: Awaited<ReturnType<typeof startConsole>> | null = null;
  try {
    // Receipts: delivery at once, never read (the defaults): `delivered` is the last status.
    await simMessaging(sim.controlUrl).configure({ receipts: { delivery: 0, read: 'never' }, ack: true });
    const phones = await pairForNodes(database.db, sim, phoneJids);
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
        for (const ph of phones) {
          const res = await fetch(`${url}/api/sessions/${ph.id}`, { headers: { authorization: `Bearer ${token}` } });
          if (((await res.json()) as { status?: string }).status !== 'open') return undefined;
        }
        return true;
      },
      120_000,
      250,
    );

    // Warm-up (routes compiled, sockets' first prekey fetches for the contacts), not measured.
    const warm = await Promise.all(phones.flatMap((ph, i) => contacts(i).map((c) => post(ph.id, c, 'warm-up'))));
    await waitFor(database.db, warm, 'delivered');

    // A lone message at a time: the latency without a queue.
    const loneRows: Submitted[] = [];
    for (let i = 0; i < lone; i++) {
      const one = await post(phones[0].id, contacts(0)[i % contactsPerPhone], `lone ${i}`);
      await waitFor(database.db, [one], 'delivered', 5);
      loneRows.push(one);
    }
    const loneTimes = await storedTimes(database.db, loneRows);

    const phase = async (count: number, phoneCount: number) => {
      const jobs = Array.from({ length: count * phoneCount }, (_, i) => ({ phone: phones[i % phoneCount], contact: contacts(i % phoneCount)[Math.floor(i / phoneCount) % contactsPerPhone], i }));
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
      };
    };
    const single = await phase(onePhone, 1);
    const four = await phase(perPhoneOfFour, 4);

    // Every message reached its contact once, under its stored id.
    const inboxes = await Promise.all(phones.flatMap((_, i) => contacts(i).map((c) => simMessaging(sim.controlUrl).inbox(c.replace('@s.whatsapp.net', '')))));
    const entries = inboxes.flat();
    const twice = entries.filter((e) => e.times > 1).length;
    return {
      method: `built console (next start) on ${provider === 'postgresql' ? 'PostgreSQL' : 'SQLite'}, the real Baileys client, the simulator's contacts decrypting each message (server ack, delivery receipt at once, never read); pace off (MESSAGE_PHONE_INTERVAL_MS=0, MESSAGE_RECIPIENT_INTERVAL_MS=0); texts posted through POST /api/sessions/:id/messages with ${concurrency} requests in flight, ${contactsPerPhone} contacts per phone; acked = WhatsApp's server ack stored (status sent), delivered = the contact's receipt stored; latencies from the stored times (createdAt → ackedAt, deliveredAt), accept = the POST's round trip; lone = one message at a time, each waited for`,
      comparedWith: 'no baseline (bare Baileys sendMessage in the same run is issue 24\'s remaining target)',
      lone: { messages: lone, submitToAckP50Ms: p(loneTimes.ack, 50), submitToDeliveredP50Ms: p(loneTimes.delivered, 50), acceptP50Ms: p(loneRows.map((r) => r.acceptMs), 50) },
      onePhone: single,
      fourPhones: four,
      contactInboxEntries: entries.length,
      arrivedMoreThanOnce: twice,
    };
  } finally {
    await server?.stop();
    await sim.close();
    await database.drop();
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
    120_000,
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
