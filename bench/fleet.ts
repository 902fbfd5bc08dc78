// `npm run bench -- fleet`: the fleet of issue 13 measured on this machine.
//  (a) the bus: events per second from one publisher node to three subscriber nodes (each its own
//      process, bench/fleet-bus-worker.ts), batched as
//      lib/fleet/fleet.ts batches them (packMessages), through PostgreSQL LISTEN/NOTIFY (PgBus,
//      what the console uses) and through NATS core (bench/fleet-nats-bus.ts: the same FleetBus
//      interface, bench only), with the same payloads: a flood (throughput, and latency at saturation) and a
//      paced run (latency at a steady rate).
//  (b) failover: three console processes (scripts/server.ts, as `npm start` runs it) on one fresh
//      PostgreSQL database and one simulator, N paired phones; SIGKILL the node with the most
//      phones and time, per phone, kill → open on another node (a logged-in connection at the
//      simulator, owner row on a live other node, status open), 5 times; then a partition (node
//      c's database link, through a TCP proxy, goes silent while its WhatsApp sockets stay up:
//      the lease path), timed the same way, with the overlaps it caused; then rolling restarts
//      (SIGTERM each node in turn, start it again, until every phone is open), 3 times.
// Knobs: BENCH_FLEET_PHONES (60), BENCH_FLEET_EVENTS (events per bus sample, 20000),
// BENCH_FLEET_SAMPLES (3), BENCH_FLEET_RATE (events/s of the paced run, 2000),
// BENCH_FLEET_FAILOVER_SAMPLES (5), BENCH_FLEET_ROLLING_SAMPLES (3),
// BENCH_FLEET_PARTS (bus,failover), BENCH_NATS_URL (127.0.0.1:4222).
import crypto from 'node:crypto';
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { PgBus, packMessages, type FleetBus } from '../lib/fleet/bus';
import { BusSeal } from '../lib/fleet/bus-seal';
import { BENCH_BUS_KEY } from './fleet-bus-key';
import { NatsBus } from './fleet-nats-bus';
import type { RemoteEvent } from '../lib/fleet/remote-view';
import { createLogger } from '../lib/logger';
import { startSimulator } from '../simulator';
import { createTestDatabase } from '../test/support/databases';
import { pairForNodes } from '../test/support/pairing';
import { eventually, killNodes, startNode, type FleetNodeProcess } from '../test/support/fleet-nodes';
import { startTcpProxy } from '../test/support/proxies';
import { bareSnapshot } from '../test/support/fleet-bus-node';
import { runAlone } from './run-alone';

const num = (name: string, dflt: number) => (process.env[name] ? Number(process.env[name]) : dflt);
const PHONES = num('BENCH_FLEET_PHONES', 60);
const EVENTS = num('BENCH_FLEET_EVENTS', 20_000);
const SAMPLES = num('BENCH_FLEET_SAMPLES', 3);
const RATE = num('BENCH_FLEET_RATE', 2000);
const FAILOVER_SAMPLES = num('BENCH_FLEET_FAILOVER_SAMPLES', 5);
const ROLLING_SAMPLES = num('BENCH_FLEET_ROLLING_SAMPLES', 3);
const PARTS = (process.env.BENCH_FLEET_PARTS ?? 'bus,failover').split(',');
const NATS_URL = process.env.BENCH_NATS_URL ?? '127.0.0.1:4222';
const CHANNEL = 'fleet_events';

const quantile = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN);
const median = (xs: number[]) => quantile([...xs].sort((a, b) => a - b), 0.5);
const r1 = (x: number) => Math.round(x * 10) / 10;

/** A state event of a phone with its snapshot, as an owner publishes it; `t` is the send time. */
function remoteEvent(i: number, t: number): RemoteEvent & { t: number } {
  const phoneId = 1 + (i % 2000);
  const phoneJid = `7790${String(phoneId).padStart(7, '0')}@s.whatsapp.net`;
  const at = new Date().toISOString();
  return {
    t,
    epoch: 3,
    event: { type: 'state', phoneId, phoneJid, state: 'open', previous: 'connecting', at },
    snapshot: { ...bareSnapshot(phoneId), phoneJid, lastConnectedAt: at },
  };
}

interface BusSample {
  eventsPerSec: number;
  messages: number;
  p50Ms: number;
  p99Ms: number;
  lost: number;
}

/** A subscriber node: its own process (bench/fleet-bus-worker.ts) with its own bus connection. */
class SubscriberNode {
  private replies = new Map<string, (r: WorkerReport) => void>();
  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: WorkerReport) => this.replies.get(m.run)?.(m));
  }
  static async start(kind: string, url: string) {
    const child = fork(path.join(__dirname, 'fleet-bus-worker.ts'), [kind, url], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const node = new SubscriberNode(child);
    await new Promise<void>((resolve, reject) => {
      node.replies.set('ready', () => resolve());
      child.once('exit', (code) => reject(new Error(`bus subscriber exited (${code})`)));
    });
    return node;
  }
  /** Resolves with what the node received of run `run` once it has `count` events or `timeoutMs` passed. */
  expect(run: string, count: number, timeoutMs: number): Promise<WorkerReport> {
    return new Promise((resolve) => {
      this.replies.set(run, (r) => {
        this.replies.delete(run);
        resolve(r);
      });
      this.child.send({ run, count, timeoutMs });
    });
  }
  async stop() {
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}
export interface WorkerReport {
  run: string;
  got: number;
  /** wall-clock ms (performance.timeOrigin + now) of the last delivery */
  lastAt: number;
  latencies: number[];
}

/** Wall-clock time with sub-millisecond resolution, comparable across processes of one machine. */
export const clockMs = () => performance.timeOrigin + performance.now();

/**
 * One sample: the publisher sends `count` events in batches of `batch` (one batch per tick, as the
 * fleet's outbox flushes once per setImmediate), each batch packed into NOTIFY-sized messages;
 * `rate` (events/s) paces the batches, 0 floods. Delivered events/s counts all three subscribers.
 */
async function busSample(publisher: FleetBus, subscribers: SubscriberNode[], count: number, batch: number, rate: number): Promise<BusSample> {
  const run = crypto.randomBytes(4).toString('hex');
  const reports = Promise.all(subscribers.map((s) => s.expect(run, count, 90_000)));
  let messages = 0;
  const t0 = clockMs();
  const inflight = new Set<Promise<void>>();
  for (let sent = 0; sent < count; sent += batch) {
    if (rate > 0) {
      const due = t0 + (sent / rate) * 1000;
      const wait = due - clockMs();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    } else {
      await new Promise((r) => setImmediate(r));
    }
    const now = clockMs();
    const items = Array.from({ length: Math.min(batch, count - sent) }, (_, k) => remoteEvent(sent + k, now));
    for (const part of packMessages(items)) {
      messages++;
      const p = publisher.publish(CHANNEL, { kind: 'events', from: 'bench', run, items: part });
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    }
    // Bounded backlog: a flood must not queue the whole run in memory.
    while (inflight.size > 64) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  if (publisher instanceof NatsBus) await publisher.flush();
  const got = await reports;
  const delivered = got.reduce((a, r) => a + r.got, 0);
  const lastAt = Math.max(...got.map((r) => r.lastAt));
  const latencies = got.flatMap((r) => r.latencies).sort((a, b) => a - b);
  return {
    eventsPerSec: Math.round(delivered / ((lastAt - t0) / 1000)),
    messages,
    p50Ms: r1(quantile(latencies, 0.5)),
    p99Ms: r1(quantile(latencies, 0.99)),
    lost: subscribers.length * count - delivered,
  };
}

async function busBenchmark() {
  const log = createLogger({ level: 'warn' });
  const database = await createTestDatabase('postgresql');
  const sides: Record<string, { url: string; open: () => Promise<FleetBus> }> = {
    postgresql: { url: database.url, open: async () => new PgBus(database.url, log, new BusSeal({ current: BENCH_BUS_KEY, windowMs: 60_000 })) },
    nats: { url: NATS_URL, open: () => NatsBus.open(NATS_URL) },
  };
  const out: Record<string, unknown> = {};
  const sampleBytes = Buffer.byteLength(JSON.stringify(remoteEvent(1, 0)));
  try {
    for (const [name, side] of Object.entries(sides)) {
      const publisher = await side.open();
      // The baseline's server and its settings, recorded with its figures (PostgreSQL: the version
      // and the settings a NOTIFY depends on).
      const server =
        publisher instanceof NatsBus
          ? { url: NATS_URL, ...publisher.server() }
          : Object.fromEntries(
              (await database.db.$queryRawUnsafe<{ name: string; setting: string }[]>(
                `SELECT name, setting FROM pg_settings WHERE name IN ('server_version', 'max_connections', 'shared_buffers', 'synchronous_commit', 'max_notify_queue_pages')`,
              )).map((r) => [r.name, r.setting]),
            );
      const subscribers = await Promise.all([0, 1, 2].map(() => SubscriberNode.start(name, side.url)));
      try {
        await busSample(publisher, subscribers, 500, 50, 0); // warm-up
        const flood: BusSample[] = [];
        const paced: BusSample[] = [];
        for (let s = 0; s < SAMPLES; s++) {
          flood.push(await busSample(publisher, subscribers, EVENTS, 200, 0));
          paced.push(await busSample(publisher, subscribers, Math.min(EVENTS, RATE * 5), Math.max(1, Math.round(RATE / 100)), RATE));
          console.log(`  bus ${name} sample ${s + 1}: flood ${flood.at(-1)!.eventsPerSec} events/s delivered, p99 ${flood.at(-1)!.p99Ms} ms; ${RATE}/s paced p50 ${paced.at(-1)!.p50Ms} / p99 ${paced.at(-1)!.p99Ms} ms`);
        }
        out[name] = {
          server,
          flood: {
            eventsPerSec: median(flood.map((x) => x.eventsPerSec)),
            eventsPerSecRange: [Math.min(...flood.map((x) => x.eventsPerSec)), Math.max(...flood.map((x) => x.eventsPerSec))],
            p50Ms: median(flood.map((x) => x.p50Ms)),
            p99Ms: median(flood.map((x) => x.p99Ms)),
            lost: flood.reduce((a, x) => a + x.lost, 0),
            samples: flood,
          },
          paced: {
            eventsPerSec: RATE,
            p50Ms: median(paced.map((x) => x.p50Ms)),
            p99Ms: median(paced.map((x) => x.p99Ms)),
            lost: paced.reduce((a, x) => a + x.lost, 0),
            samples: paced,
          },
        };
      } finally {
        await publisher.close().catch(() => {});
        await Promise.all(subscribers.map((n) => n.stop()));
      }
    }
  } finally {
    await database.drop();
  }
  return { subscribers: 3, subscriberProcesses: true, eventsPerSample: EVENTS, floodBatch: 200, pacedRate: RATE, samples: SAMPLES, eventBytes: sampleBytes, ...out };
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50Ms: Math.round(quantile(s, 0.5)), p99Ms: Math.round(quantile(s, 0.99)), maxMs: Math.round(s.at(-1) ?? NaN) };
};

async function failoverBenchmark() {
  const database = await createTestDatabase('postgresql');
  // Its event log holds every registration of the run (re-pairings are counted from it; the
  // default bound of 20,000 events drops the oldest within minutes of keep-alives).
  const sim = await startSimulator({ port: 0, idleTimeoutMs: 4000, maxEvents: 5_000_000 });
  const nodes = new Map<string, FleetNodeProcess>();
  const db = database.db;
  let closeProxy = async () => {};
  try {
    const jids = Array.from({ length: PHONES }, (_, i) => `7790300${String(i).padStart(4, '0')}@s.whatsapp.net`);
    const tPair = performance.now();
    const phones = await pairForNodes(db, sim, jids, 10);
    // Node c reaches PostgreSQL through a TCP proxy of its own (its pool, bus and liveness lock), so
    // the partition sample can cut its database link while its WhatsApp sockets stay up.
    const pgUrl = new URL(database.url);
    const proxy = await startTcpProxy({ host: pgUrl.hostname, port: Number(pgUrl.port || 5432) });
    closeProxy = () => proxy.close();
    const viaProxy = new URL(database.url);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    console.log(`  ${PHONES} phones paired in ${Math.round(performance.now() - tPair)} ms`);
    const byJid = new Map(phones.map((p) => [p.phoneJid, p.id]));
    const registrations = () => sim.events(0).filter((e) => e.type === 'registration').length;
    const registered = registrations();
    // The console's defaults for the lease and the staggered start (LEASE_TTL_MS 10 s, renew 2 s,
    // margin 3 s, 16 at once, 50/s); keep-alives and reconnects as the integration test sets them.
    const env: Record<string, string> = {
      DATABASE_URL: database.url,
      WA_WEBSOCKET_URL: sim.url,
      NEXTAUTH_SECRET: crypto.randomBytes(24).toString('hex'),
      KEEPALIVE_INTERVAL_MS: '1000',
      RECONNECT_BASE_MS: '500',
      RECONNECT_MAX_MS: '2000',
    };
    let generation = 0;
    const launch = async (name: string) => {
      const node = await startNode(name, { ...env, ...(name === 'c' ? { DATABASE_URL: viaProxy.toString() } : {}), NODE_ID: `${name}_${++generation}` }, 240_000);
      nodes.set(name, node);
      return node;
    };
    const live = async () =>
      new Set(
        (await db.$queryRawUnsafe<{ id: string }[]>(`SELECT "id" FROM "FleetNode" WHERE "leaseExpiresMs" > (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint`)).map((r) => r.id),
      );
    /** Phone id → owner node id, for each phone open right now (one logged-in connection, status open, live owner). */
    const openNow = async () => {
      const liveNodes = await live();
      const owners = new Map((await db.phoneOwner.findMany()).map((o) => [o.phoneId, o.nodeId]));
      const open = new Set((await db.organizationPhone.findMany({ where: { status: 'open' }, select: { id: true } })).map((r) => r.id));
      const conns = new Map<number, number>();
      for (const c of sim.connections()) {
        const id = c.phoneJid ? byJid.get(c.phoneJid) : undefined;
        if (id && c.loggedIn) conns.set(id, (conns.get(id) ?? 0) + 1);
      }
      const out = new Map<number, string>();
      for (const p of phones) {
        const owner = owners.get(p.id);
        if (owner && liveNodes.has(owner) && open.has(p.id) && conns.get(p.id) === 1) out.set(p.id, owner);
      }
      return out;
    };
    const allOpen = async (allowed: (nodeId: string) => boolean) => {
      const now = await openNow();
      return now.size === PHONES && [...now.values()].every(allowed) ? now : undefined;
    };
    const overlaps = () => sim.phones().reduce((n, p) => n + p.overlaps, 0);
    /** Per phone, the ms from `since` until it is open on a node other than `from`. */
    const timeMoves = async (what: string, moving: number[], from: string, since: number) => {
      const openedAt = new Map<number, number>();
      await eventually(what, async () => {
        const now = await openNow();
        const t = performance.now();
        for (const p of moving) if (!openedAt.has(p) && now.has(p) && now.get(p) !== from) openedAt.set(p, t - since);
        return openedAt.size === moving.length ? true : undefined;
      }, 180_000, 100);
      return openedAt;
    };

    // Boot: three nodes at once on the same database.
    const tBoot = performance.now();
    await Promise.all(['a', 'b', 'c'].map((n) => launch(n)));
    const spread = await eventually('every phone open, spread over three nodes', async () => {
      const now = await allOpen(() => true);
      return now && new Set(now.values()).size === 3 ? now : undefined;
    }, 240_000, 200);
    const bootMs = Math.round(performance.now() - tBoot);
    const countPerNode = (m: Map<number, string>) => {
      const per = new Map<string, number>();
      for (const id of m.values()) per.set(id, (per.get(id) ?? 0) + 1);
      return per;
    };
    // The first node up takes more than its share; rebalancing then evens it out. Failover is
    // measured from the even spread (each node at most its fair share plus the one phone of slack policy.ts allows), as a fleet runs.
    const share = Math.ceil(PHONES / 3);
    const firstSpread = [...countPerNode(spread).values()];
    const balanced = await eventually('phones spread evenly over the three nodes', async () => {
      const now = await allOpen(() => true);
      return now && [...countPerNode(now).values()].every((c) => c <= share + 1) && countPerNode(now).size === 3 ? now : undefined;
    }, 120_000, 200);
    const balancedMs = Math.round(performance.now() - tBoot);
    const perNode = countPerNode(balanced);
    console.log(`  boot: ${bootMs} ms to all open (spread ${firstSpread.join('/')}), ${balancedMs} ms to an even spread ${[...perNode.values()].join('/')}`);

    // Failover, FAILOVER_SAMPLES times: from an even spread, SIGKILL the node with the most phones,
    // time each of its phones until it is open on another node, start the node again.
    const failovers: { phonesMoved: number; p50Ms: number; p99Ms: number; maxMs: number }[] = [];
    const allMoves: number[] = [];
    for (let sample = 0; sample < FAILOVER_SAMPLES; sample++) {
      const even = await eventually('phones spread evenly over the three nodes', async () => {
        const now = await allOpen(() => true);
        return now && [...countPerNode(now).values()].every((c) => c <= share + 1) && countPerNode(now).size === 3 ? now : undefined;
      }, 180_000, 200);
      const [victimId, victimCount] = [...countPerNode(even)].sort((x, y) => y[1] - x[1])[0];
      const victim = [...nodes.values()].find((n) => victimId.startsWith(`${n.name}_`))!;
      const moving = [...even].filter(([, id]) => id === victimId).map(([p]) => p);
      const killedAt = performance.now();
      victim.child.kill('SIGKILL');
      await victim.exited;
      nodes.delete(victim.name);
      const openedAt = await timeMoves('every phone of the killed node open elsewhere', moving, victimId, killedAt);
      failovers.push({ phonesMoved: victimCount, ...stats([...openedAt.values()]) });
      allMoves.push(...openedAt.values());
      console.log(`  failover ${sample + 1}/${FAILOVER_SAMPLES} (SIGKILL, ${victimCount} phones): p50 ${failovers.at(-1)!.p50Ms} / p99 ${failovers.at(-1)!.p99Ms} / max ${failovers.at(-1)!.maxMs} ms`);
      await launch(victim.name);
      await eventually('every phone open after the killed node came back', () => allOpen(() => true), 180_000, 200);
    }
    const failover = {
      samples: FAILOVER_SAMPLES,
      phonesMoved: allMoves.length,
      ...stats(allMoves),
      p50Range: [Math.min(...failovers.map((f) => f.p50Ms)), Math.max(...failovers.map((f) => f.p50Ms))],
      runs: failovers,
    };

    // Partition: node c's database link goes silent (the proxy forwards nothing and resets
    // nothing) while its WhatsApp sockets stay up. PostgreSQL sees no session end, so this is the
    // lease path: c cannot renew and closes its sockets FENCE_MARGIN_MS before its lease could end;
    // the others claim its phones when it lapses. Timed from the cut to each phone open elsewhere.
    const partitionBefore = await eventually('node c runs phones in an even spread', async () => {
      const now = await allOpen(() => true);
      return now && [...now.values()].some((id) => id.startsWith('c_')) ? now : undefined;
    }, 180_000, 200);
    const cutNode = nodes.get('c')!;
    const cutId = [...partitionBefore.values()].find((id) => id.startsWith('c_'))!;
    const cutPhones = [...partitionBefore].filter(([, id]) => id === cutId).map(([p]) => p);
    const overlapsBeforeCut = overlaps();
    const cutAt = performance.now();
    proxy.cut();
    const cutOpenedAt = await timeMoves('every phone of the cut node open elsewhere', cutPhones, cutId, cutAt);
    const partition = {
      phonesMoved: cutPhones.length,
      ...stats([...cutOpenedAt.values()]),
      // A device with two live connections during the partition (the cut node closes its sockets before its lease ends: 0 expected).
      overlaps: overlaps() - overlapsBeforeCut,
    };
    console.log(`  partition (node c's database link cut, ${cutPhones.length} phones): p50 ${partition.p50Ms} / p99 ${partition.p99Ms} / max ${partition.maxMs} ms, ${partition.overlaps} overlaps`);
    cutNode.child.kill('SIGKILL');
    await cutNode.exited;
    nodes.delete('c');
    proxy.restore();
    await launch('c');

    // Rolling restart, ROLLING_SAMPLES times: SIGTERM each node in turn (the order alternating
    // between samples), start it again, next; until every phone is open. Each drain waits (up to
    // 60 s) until its node holds phones; one that still held none moved none: no move time.
    const rollings: { totalMs: number; drains: { node: string; phones: number; drainExitMs: number; movedMs: number | null }[] }[] = [];
    for (let sample = 0; sample < ROLLING_SAMPLES; sample++) {
      await eventually('every phone open before the rolling restart', () => allOpen(() => true), 180_000, 200);
      const tRoll = performance.now();
      const drains: { node: string; phones: number; drainExitMs: number; movedMs: number | null }[] = [];
      const order = [...nodes.keys()].sort();
      for (const name of sample % 2 === 0 ? order : order.reverse()) {
        const node = nodes.get(name)!;
        // A node started again a moment ago holds nothing until the others hand it its share
        // (each sheds its excess on its tick): wait for that, so every drain moves phones (28.2).
        const ownedNow = async () => [...(await openNow()).values()].filter((id) => id.startsWith(`${name}_`)).length;
        await eventually(`${name} holds phones again`, async () => ((await ownedNow()) > 0 ? true : undefined), 60_000, 200).catch(() => {});
        const owned = await ownedNow();
        const t = performance.now();
        node.child.kill('SIGTERM');
        await node.exited;
        const drainExitMs = Math.round(performance.now() - t);
        nodes.delete(name);
        await eventually(`every phone open after ${name} drained`, () => allOpen((id) => !id.startsWith(`${name}_`)), 180_000, 100);
        drains.push({ node: name, phones: owned, drainExitMs, movedMs: owned > 0 ? Math.round(performance.now() - t) : null });
        await launch(name);
      }
      await eventually('every phone open after the rolling restart', () => allOpen(() => true), 180_000, 200);
      rollings.push({ totalMs: Math.round(performance.now() - tRoll), drains });
      console.log(`  rolling restart ${sample + 1}/${ROLLING_SAMPLES}: ${rollings.at(-1)!.totalMs} ms; drains ${drains.map((d) => `${d.node}: ${d.phones} phones${d.movedMs === null ? '' : ` moved in ${d.movedMs} ms`}`).join(', ')}`);
    }
    const moves = rollings.flatMap((r) => r.drains.flatMap((d) => (d.movedMs === null ? [] : [d.movedMs])));
    const totals = rollings.map((r) => r.totalMs);
    const rolling = {
      samples: ROLLING_SAMPLES,
      totalMs: median(totals),
      totalRange: [Math.min(...totals), Math.max(...totals)],
      movedMs: moves.length ? median(moves) : null,
      movedRange: moves.length ? [Math.min(...moves), Math.max(...moves)] : null,
      drainsWithoutPhones: rollings.reduce((n, r) => n + r.drains.filter((d) => d.movedMs === null).length, 0),
      runs: rollings,
    };
    return {
      phones: PHONES,
      nodes: 3,
      settings: { LEASE_TTL_MS: 10_000, LEASE_RENEW_MS: 2000, FENCE_MARGIN_MS: 3000, START_CONCURRENCY: 16, START_RATE_PER_SEC: 50, NODE_DEATH_CHECK_MS: 500 },
      bootMs,
      bootSpread: firstSpread,
      balancedMs,
      balancedSpread: [...perNode.values()],
      failover,
      partition,
      rolling,
      overlaps: overlaps(),
      rePairings: registrations() - registered,
    };
  } finally {
    await killNodes(nodes.values());
    await closeProxy();
    await sim.close();
    await database.drop();
  }
}

export async function fleetBenchmark() {
  const result: Record<string, unknown> = {};
  if (PARTS.includes('bus')) result.bus = await busBenchmark();
  if (PARTS.includes('failover')) result.failover = await failoverBenchmark();
  return result;
}

if (require.main === module) runAlone(fleetBenchmark);
