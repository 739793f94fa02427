import { defineConfig } from 'vitest/config';

// One suite, both databases: store and pipeline tests read DATABASE_URL and run against
// PostgreSQL when it is set (as .ci/run does), SQLite always.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
