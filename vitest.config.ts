import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Loopback servers and child processes: keep files isolated, two workers on a 2-core CI.
    pool: 'forks',
    maxWorkers: 2,
  },
});
