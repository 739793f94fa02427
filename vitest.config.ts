import { defineConfig } from 'vitest/config';

// One suite, both databases: store and pipeline tests read DATABASE_URL and run against
// PostgreSQL when it is set (as .ci/run does), SQLite always.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // A fixed master key for test stores and the servers tests spawn (they inherit it), so no test
    // writes ~/.config/carecoord/master.key. Test data only: never use this key for real data.
    env: { CARECOORD_MASTER_KEY: 'dGVzdC1vbmx5LW1hc3Rlci1rZXktMzItYnl0ZXMhISE=' },
  },
});
