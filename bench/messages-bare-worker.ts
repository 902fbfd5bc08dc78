// The bare side of the messages benchmark (issue 24), in its own process so its CPU time is its
// own: N phones' bare Baileys sockets (bench/bare-socket.ts) against the same simulator as the
// console, each sending texts with Baileys' own `sock.sendMessage` to its contact. Per phone one
// message at a time, the next once WhatsApp's server ack arrived: the console's rule (one in flight
// per phone), so both sides do the same work for the same acks.
// Args: <pair|send> <n> <simUrl> <controlUrl> <phonePrefix> <contactPrefix> <dir>.
// Protocol (JSON lines on stdout): pair → {phase:'paired'}; send → {phase:'ready'} after a warm-up
// message per phone (pre-key fetches, not measured), then per stdin line "round <perPhone>" →
// {phase:'round', messages, ms, cpuMs, ackMs: [...], reopened}; "stop" ends it. A socket that
// closes is opened again and the send it broke sent again (`reopened` counts them).
import fs from 'node:fs';
import readline from 'node:readline';
import type { WASocket } from '@whiskeysockets/baileys';
import { openBare, pairBare } from './bare-socket';
import { KEEPALIVE_MS } from './idle';
import { phoneJid, contactJid } from './messages-jids';

const [step, nArg, simUrl, controlUrl, phonePrefix, contactPrefix, dir] = process.argv.slice(2);
const N = Number(nArg);
const out = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');
const jids = Array.from({ length: N }, (_, i) => phoneJid(phonePrefix, i));
const o = { dir, simUrl, controlUrl, keepAliveIntervalMs: KEEPALIVE_MS, writes: [] as Promise<void>[] };

/** Message id → resolve, called at WhatsApp's server ack. */
const acked = new Map<string, () => void>();
const early = new Set<string>();
/** Per socket: rejects once it closed (an ack it still owed will not come). */
const closedOf = new WeakMap<WASocket, Promise<never>>();
/** Sockets opened again after a close during the run (bare Baileys does not reconnect: its user does). */
let reopened = 0;

async function sendAcked(sock: WASocket, to: string, text: string): Promise<number> {
  const t0 = performance.now();
  let resolve!: () => void;
  const ack = new Promise<void>((r) => (resolve = r));
  const sent = await sock.sendMessage(to, { text });
  const id = sent?.key.id;
  if (!id) throw new Error('sendMessage returned no id');
  acked.set(id, resolve);
  // An ack that raced ahead of the registration was recorded under the id (below).
  if (early.delete(id)) resolve();
  try {
    await Promise.race([ack, closedOf.get(sock)!]);
  } finally {
    acked.delete(id);
  }
  return performance.now() - t0;
}

/** Opens phone `i`'s socket (three tries) and listens for its server acks. */
async function open(i: number): Promise<WASocket> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    const sock = await openBare(jids[i], false, o);
    if (!sock) continue;
    // WhatsApp's server ack is an <ack class="message"> stanza; Baileys 6 emits no event for it
    // (the console's engine listens to the same stanza, lib/messages/engine.ts).
    const ws = sock.ws as unknown as { on(event: string, listener: (node: { attrs: Record<string, string> }) => void): void };
    ws.on('CB:ack,class:message', (node) => {
      const id = node.attrs.id;
      if (!id) return;
      const done = acked.get(id);
      if (done) done();
      else early.add(id);
    });
    const closed = new Promise<never>((_, reject) => sock.ev.on('connection.update', (u) => u.connection === 'close' && reject(new Error('Connection Closed'))));
    closed.catch(() => {});
    closedOf.set(sock, closed);
    return sock;
  }
  throw new Error(`the bare socket of ${jids[i]} did not open`);
}

async function main() {
  if (step === 'pair') {
    fs.mkdirSync(dir, { recursive: true });
    await pairBare(jids, o);
    out({ phase: 'paired' });
    process.exit(0);
  }
  // 50 at a time: 1,000 at once beside the console's warm-up on two cores ran into connect time-outs.
  const socks: WASocket[] = [];
  for (let i = 0; i < jids.length; i += 50) {
    socks.push(...(await Promise.all(jids.slice(i, i + 50).map((_, k) => open(i + k)))));
  }
  /** A send its socket's close broke is sent again on the socket opened anew, as a user's code would. */
  const send = async (i: number, to: string, text: string): Promise<number> => {
    for (;;) {
      try {
        return await sendAcked(socks[i], to, text);
      } catch (err) {
        if (!/Connection Closed/i.test(String((err as Error)?.message))) throw err;
        reopened++;
        socks[i] = await open(i);
      }
    }
  };
  const round = async (perPhone: number, tag: string) => {
    const ackMs: number[] = [];
    await Promise.all(
      socks.map(async (_, i) => {
        for (let k = 0; k < perPhone; k++) ackMs.push(await send(i, contactJid(contactPrefix, i), `${tag} ${k}`));
      }),
    );
    return ackMs;
  };
  await round(1, 'warm-up');
  out({ phase: 'ready', reopened });
  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    const [cmd, arg] = line.trim().split(' ');
    if (cmd === 'stop') break;
    if (cmd !== 'round') continue;
    const reopenedBefore = reopened;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const ackMs = await round(Number(arg), 'bench');
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    out({ phase: 'round', messages: ackMs.length, ms, cpuMs: (cpu.user + cpu.system) / 1000, ackMs, reopened: reopened - reopenedBefore });
  }
  for (const s of socks) s.end(undefined);
  process.exit(0);
}

process.on('unhandledRejection', () => {});
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
