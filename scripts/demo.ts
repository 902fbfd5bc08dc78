// The offline demo: the WhatsApp simulator, organization "Demo" with 5 phones paired the real way
// (QR → scan), and the console serving them. Ctrl-C stops both. A second run reuses the pairings.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startSimulator } from '../simulator';
import { createDb, type Db } from '../lib/db/client';
import { SessionManager, settingsFromConfig } from '../lib/sessions/manager';
import { createLogger } from '../lib/logger';
import { prepareDatabase, prepareEnv, ROOT } from './prepare';

const DEMO_PHONES = ['77050000001', '77050000002', '77050000003', '77050000004', '77050000005'];

async function pairMissing(db: Db, simulator: Awaited<ReturnType<typeof startSimulator>>) {
  const config = prepareEnv();
  const org = await db.organization.upsert({ where: { name: 'Demo' }, create: { name: 'Demo' }, update: {} });
  for (const [i, number] of DEMO_PHONES.entries()) {
    const phoneJid = `${number}@s.whatsapp.net`;
    await db.organizationPhone.upsert({ where: { phoneJid }, create: { organizationId: org.id, phoneJid, label: `Demo line ${i + 1}` }, update: {} });
  }
  const phones = await db.organizationPhone.findMany({ where: { organizationId: org.id }, include: { authCreds: true } });
  const unpaired = phones.filter((p) => !p.authCreds || !JSON.parse(p.authCreds.data).me);
  if (!unpaired.length) {
    console.log(`Reusing ${phones.length} paired demo phones.`);
    // They were connected when the demo stopped; make sure the console starts them.
    await db.organizationPhone.updateMany({ where: { organizationId: org.id, status: { in: ['closed', 'idle'] } }, data: { status: 'open' } });
    return;
  }
  console.log(`Pairing ${unpaired.length} demo phones through the simulator (QR → scan)…`);
  const manager = new SessionManager(db, settingsFromConfig(config), createLogger({ level: 'warn' }));
  await Promise.all(
    unpaired.map(
      (phone) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`pairing ${phone.phoneJid} timed out`)), 60_000);
          const off = manager.subscribe((e) => {
            if (e.phoneId !== phone.id) return;
            if (e.type === 'qr') void simulator.scan(phone.phoneJid, e.qr).catch(reject);
            if (e.type === 'state' && e.state === 'open') {
              clearTimeout(timer);
              off();
              resolve();
            }
          });
          void manager.startBaileys(phone.organizationId, phone.id, phone.phoneJid);
        }),
    ),
  );
  // Close the sockets but keep them marked connected: the console starts them again at boot.
  await manager.shutdown();
  console.log('Demo phones paired.');
}

async function main() {
  const simPort = Number(process.env.SIM_PORT || 3001);
  process.env.WA_WEBSOCKET_URL ||= `ws://127.0.0.1:${simPort}/ws/chat`;
  process.env.SIMULATOR_URL ||= `http://127.0.0.1:${simPort}`;
  // No known demo password: without ADMIN_PASSWORD the first admin gets a generated one, printed
  // once by prepareDatabase(). A password the operator supplied is never printed.
  const operatorPassword = !!process.env.ADMIN_PASSWORD;
  const config = prepareEnv();
  const simulator = await startSimulator({ port: simPort });
  console.log(`WhatsApp simulator: ${simulator.controlUrl} (WebSocket ${simulator.url})`);
  const { adminPassword } = await prepareDatabase(config);
  const db = createDb(config.DATABASE_URL);
  await pairMissing(db, simulator);
  await db.$disconnect();

  // scripts/server.ts: Next behind the HTTP edge, on HOST (127.0.0.1 unless set); lib/boot.ts handles the signals.
  const next = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'server.ts')], { cwd: ROOT, env: { ...process.env, NEXT_MANUAL_SIG_HANDLE: 'true' }, stdio: 'inherit' });
  const password = adminPassword
    ? `password ${adminPassword} (generated, shown this once)`
    : operatorPassword
      ? 'the password from ADMIN_PASSWORD'
      : 'the password printed when this database\'s first admin was created';
  console.log(`\nConsole: ${config.NEXTAUTH_URL} (listening on ${config.HOST}; set HOST=0.0.0.0 to open it to the network)\nSign in as ${config.ADMIN_EMAIL} with ${password}\nCtrl-C stops the console and the simulator.\n`);
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    next.kill(signal);
    await new Promise((r) => (next.exitCode === null ? next.once('exit', r) : r(null)));
    await simulator.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  next.on('exit', async (code) => {
    if (stopping) return;
    await simulator.close();
    process.exit(code ?? 1);
  });
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
