import { defineConfig } from 'vitest/config';

// Integration tests against a real PostgreSQL, NATS and Kafka: slow-ish hooks, and a 2-core
// machine that also runs those three servers, so only two test files at a time.
const integrationTimeoutMs = 60_000;

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'services/**/*.test.ts', 'cli/**/*.test.{ts,tsx}'],
    exclude: ['**/node_modules/**', '**/dist/**', '.wallet/**'],
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/support/hide-known-warnings.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: integrationTimeoutMs,
    hookTimeout: integrationTimeoutMs,
    teardownTimeout: integrationTimeoutMs,
  },
});
