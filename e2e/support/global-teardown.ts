interface E2eState {
  servers: { stop(): Promise<void> }[];
  simulator: { close(): Promise<void> } | null;
  database: { drop(): Promise<void> } | null;
  errorWebhookReceiver?: { close(): void; closeAllConnections(): void };
}

export default async function globalTeardown() {
  const state = (globalThis as { __e2e?: E2eState }).__e2e;
  for (const server of [...(state?.servers ?? [])].reverse()) await server.stop();
  await state?.simulator?.close();
  await state?.database?.drop();
  state?.errorWebhookReceiver?.close();
  state?.errorWebhookReceiver?.closeAllConnections();
}
