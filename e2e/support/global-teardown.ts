export default async function globalTeardown() {
  const state = (globalThis as { __e2e?: { server: { stop(): Promise<void> }; simulator: { close(): Promise<void> } | null } }).__e2e;
  await state?.server.stop();
  await state?.simulator?.close();
}
