// A bare fleet node for tests of the bus and of forwarded commands: lib/fleet's Fleet over a real
// PgBus on the test's PostgreSQL, in its own process (so a test can SIGSTOP it), with a host that
// opens no WhatsApp socket. It reports each fact as one JSON line on stdout: phones started and
// abandoned, commands run, bus drops, and the fleet's warnings.
// Env: DATABASE_URL, NODE_ID, FLEET_BUS_KEY, LEASE_TTL_MS, LEASE_RENEW_MS, FENCE_MARGIN_MS.
import { Writable } from 'node:stream';
import { createDb } from '../../lib/db/client';
import { createLogger } from '../../lib/logger';
import { busDrops, countDrop, PgBus } from '../../lib/fleet/bus';
import { BusSeal } from '../../lib/fleet/bus-seal';
import { Fleet, type FleetCommand, type FleetHost } from '../../lib/fleet/fleet';
import { storeFor } from '../../lib/sessions/store';
import type { SessionSnapshot } from '../../lib/sessions/types';

const say = (fact: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(fact)}\n`);

export function bareSnapshot(phoneId: number): SessionSnapshot {
  return {
    phoneId,
    organizationId: 1,
    phoneJid: `${phoneId}@s.whatsapp.net`,
    state: 'open',
    isConnected: true,
    health: 'healthy' as SessionSnapshot['health'],
    healthReason: null,
    stats: { badMacErrors: 0, badDecryptErrors: 0, maxBadMacErrors: 3, maxBadDecryptErrors: 5, isHealthy: true },
    accountSignals: { reachout: null, capping: null },
    qr: null,
    pairingCode: null,
    lastConnectedAt: null,
    lastCloseReason: null,
    lastClose: null,
    proxyHost: null, engine: 'baileys-6', lid: null, waVersion: null,
  };
}

/** A host with no sockets: it records what the fleet asks. */
export function bareHost(report: (fact: Record<string, unknown>) => void): FleetHost & { running: Set<number> } {
  const running = new Set<number>();
  return {
    running,
    async startOwned(phoneId) {
      running.add(phoneId);
      report({ started: phoneId });
    },
    async settled() {},
    async abandon(phoneId, reason) {
      running.delete(phoneId);
      report({ abandoned: phoneId, reason });
    },
    async closeAll() {
      running.clear();
    },
    async release(phoneId) {
      running.delete(phoneId);
    },
    runningPhones: () => [...running].sort((a, b) => a - b),
    async runLocal(cmd: FleetCommand) {
      report({ ran: cmd.op, phoneId: cmd.phoneId });
      return 'ran';
    },
    runningCount: () => running.size,
    localSnapshots: () => [...running].map(bareSnapshot),
    onRemoteEvent() {},
    onMessagesQueued() {},
  };
}

async function main() {
  const env = process.env;
  const url = env.DATABASE_URL!;
  const db = createDb(url);
  // The fleet's warnings as facts too (a dropped command is only visible there).
  const log = createLogger({
    level: 'warn',
    destination: new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) {
          try {
            say({ log: (JSON.parse(line) as { msg: string }).msg });
          } catch {
            say({ log: line });
          }
        }
        done();
      },
    }),
  });
  const bus = new PgBus(url, log, new BusSeal({ current: env.FLEET_BUS_KEY!, windowMs: 30_000 }), (reason) => countDrop(reason));
  const fleet = new Fleet(
    db,
    storeFor(db),
    bus,
    bareHost(say),
    {
      nodeId: env.NODE_ID!,
      leaseTtlMs: Number(env.LEASE_TTL_MS ?? 3000),
      renewIntervalMs: Number(env.LEASE_RENEW_MS ?? 500),
      fenceMarginMs: Number(env.FENCE_MARGIN_MS ?? 1000),
      capacity: 100,
      startConcurrency: 10,
      startPerSecond: 100,
      commandTimeoutMs: 20_000,
      busKeyConfigured: true,
    },
    log,
  );
  let reported = '';
  setInterval(() => {
    const now = JSON.stringify(Object.fromEntries(busDrops));
    if (now !== reported) say({ drops: Object.fromEntries(busDrops) });
    reported = now;
  }, 50);
  await fleet.start();
  say({ joined: env.NODE_ID });
  process.on('SIGTERM', () => void fleet.drain().then(() => process.exit(0)));
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
