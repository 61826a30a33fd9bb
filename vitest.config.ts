import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    // Generous: a busy 2-core machine (other processes at full CPU) runs the property tests 3-5x
    // slower than an idle one; a real hang still fails, only later.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Loopback servers and child processes: keep files isolated, two workers on a 2-core CI.
    pool: 'forks',
    maxWorkers: 2,
  },
});
