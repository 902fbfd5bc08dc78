// Next.js start-up hook: boot the session engine once per server process (Node runtime only).
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { bootServer } = await import('./lib/boot/boot');
  await bootServer();
}
