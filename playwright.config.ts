import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: './e2e',
  testMatch: '**/*.spec.ts',
  workers: 1,
  // Generous for a busy 2-core machine: every wait is for an event, these are only its deadline.
  timeout: 180_000,
  // The whole run ends within 30 minutes whatever hangs (each run of the suite takes about 6 on
  // the shared 2-core machine); npm test runs it twice, once per E2E_FLEET setting.
  globalTimeout: 30 * 60_000,
  // Every expect waits up to 60 s (docs/testing.md), none shorter: a spec needing longer says why.
  expect: { timeout: 60_000 },
  reporter: [['list']],
  outputDir: 'test-results',
  globalSetup: './e2e/support/global-setup.ts',
  globalTeardown: './e2e/support/global-teardown.ts',
  use: {
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    },
  },
});
