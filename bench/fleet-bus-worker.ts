// One subscriber node of the fleet bus benchmark (bench/fleet.ts), in its own process as a console
// node would be: `tsx bench/fleet-bus-worker.ts <postgresql|nats> <url>`. It subscribes to the
// events channel and, for each run the parent announces, reports how many events arrived, when the
// last one did, and each event's latency (wall clock of this machine, sub-millisecond).
import { PgBus, type FleetBus } from '../lib/fleet/bus';
import { BusSeal } from '../lib/fleet/bus-seal';
import { BENCH_BUS_KEY } from './fleet-bus-key';
import { createLogger } from '../lib/logger';
import { NatsBus } from './fleet-nats-bus';

const clockMs = () => performance.timeOrigin + performance.now();

async function main() {
  const [kind, url] = process.argv.slice(2);
  const bus: FleetBus = kind === 'nats' ? await NatsBus.open(url) : new PgBus(url, createLogger({ level: 'warn' }), new BusSeal({ current: BENCH_BUS_KEY, windowMs: 60_000 }));
  const runs = new Map<string, { count: number; got: number; lastAt: number; latencies: number[]; timer: NodeJS.Timeout }>();
  const report = (run: string) => {
    const r = runs.get(run);
    if (!r) return;
    runs.delete(run);
    clearTimeout(r.timer);
    process.send!({ run, got: r.got, lastAt: r.lastAt, latencies: r.latencies });
  };
  const early = new Map<string, { t: number }[][]>(); // a message may arrive before the parent's announcement
  const take = (run: string, items: { t: number }[], now: number) => {
    const r = runs.get(run)!;
    for (const it of items) r.latencies.push(now - it.t);
    r.got += items.length;
    r.lastAt = now;
    if (r.got >= r.count) report(run);
  };
  await bus.subscribe('fleet_events', (m) => {
    const now = clockMs();
    const msg = m as { run: string; items: { t: number }[] };
    if (runs.has(msg.run)) take(msg.run, msg.items, now);
    else early.set(msg.run, [...(early.get(msg.run) ?? []), msg.items.map((it) => ({ t: it.t - now }))]);
  });
  process.on('message', (m: { run: string; count: number; timeoutMs: number }) => {
    runs.set(m.run, { count: m.count, got: 0, lastAt: 0, latencies: [], timer: setTimeout(() => report(m.run), m.timeoutMs) });
    for (const items of early.get(m.run) ?? []) take(m.run, items.map((it) => ({ t: it.t + clockMs() })), clockMs());
    early.delete(m.run);
  });
  process.on('SIGTERM', () => void bus.close().finally(() => process.exit(0)));
  process.send!({ run: 'ready', got: 0, lastAt: 0, latencies: [] });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
