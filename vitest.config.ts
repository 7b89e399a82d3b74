import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // servers shared by the test files of one run (a Kafka broker): test/support/services.ts
    globalSetup: ['test/support/services.ts'],
  },
});
