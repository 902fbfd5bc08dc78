// Benchmark 1: session density, the console's manager against bare Baileys + useMultiFileAuthState.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { startSimulator } from '../simulator';

type Msg = { phase: string; [k: string]: unknown };

function worker(args: string[]) {
  return spawn(process.execPath, ['--expose-gc', '--max-old-space-size=4096', '--import', 'tsx', path.join(__dirname, 'density-worker.ts'), ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
}

async function runSide(mode: 'manager' | 'bare', n: number, prefix: string) {
  const sim = await startSimulator({ port: 0 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${mode}-`));
  const args = [String(n), sim.url, sim.controlUrl, prefix, dir];
  const pairing = worker([mode, 'pair', ...args]);
  const pairedOk = await new Promise<number | null>((r) => pairing.once('exit', r));
  if (pairedOk !== 0) throw new Error(`${mode} pairing failed`);
  const child = worker([mode, 'measure', ...args]);
  const messages: Msg[] = [];
  const waiters = new Set<() => void>();
  readline.createInterface({ input: child.stdout! }).on('line', (l) => {
    try {
      messages.push(JSON.parse(l));
    } catch {
      return;
    }
    for (const w of waiters) w();
  });
  const next = (phase: string) =>
    new Promise<Msg>((resolve, reject) => {
      const check = () => {
        const m = messages.find((x) => x.phase === phase);
        if (m) {
          waiters.delete(check);
          resolve(m);
        }
      };
      child.once('exit', (code) => reject(new Error(`${mode} worker exited ${code} before ${phase}`)));
      waiters.add(check);
      check();
    });
  const opened = await next('open');
  const idle = await next('idle');
  await next('traffic-start');
  // 50 messages per second, spread over the phones, for 5 seconds.
  const jids = sim.phones().map((p) => p.phoneJid);
  const start = Date.now();
  let sent = 0;
  while (Date.now() < start + 5000) {
    void sim.inject(jids[sent % jids.length], { type: 'message', text: `m${sent}` }).catch(() => {});
    sent++;
    // Keep to 50 per second on average, whatever the timer's drift.
    await new Promise((r) => setTimeout(r, Math.max(0, start + sent * 20 - Date.now())));
  }
  child.stdin!.write('traffic-done\n');
  const traffic = await next('traffic');
  await new Promise((r) => child.once('exit', r));
  await sim.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return {
    n,
    allOpenMs: Math.round(opened.openMs as number),
    rssMb: Math.round(opened.rssMb as number),
    perSessionMb: Number((opened.perSessionMb as number).toFixed(3)),
    heapPerSessionMb: Number((opened.heapPerSessionMb as number).toFixed(3)),
    eldIdleP99Ms: Number(((idle.eld as { p99Ms: number }).p99Ms).toFixed(1)),
    eldTrafficP99Ms: Number(((traffic.eld as { p99Ms: number }).p99Ms).toFixed(1)),
    messagesSent: sent,
  };
}

export async function densityBenchmark(sizes: number[]) {
  const rows = [];
  for (const n of sizes) {
    const manager = await runSide('manager', n, '7711');
    const bare = await runSide('bare', n, '7712');
    rows.push({
      n,
      manager,
      bare,
      ratio: {
        time: Number((manager.allOpenMs / bare.allOpenMs).toFixed(2)),
        memory: Number((manager.perSessionMb / bare.perSessionMb).toFixed(2)),
        heap: Number((manager.heapPerSessionMb / bare.heapPerSessionMb).toFixed(2)),
      },
    });
    console.log(JSON.stringify(rows.at(-1)));
  }
  return rows;
}
