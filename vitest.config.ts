import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['shared/**/*.test.ts', 'bff/**/*.test.ts', 'e2e/**/*.test.ts', 'widget/test-node/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    // every compiled statement is also built with its real values and compared (bff/src/db/compiled.ts)
    env: { JD_VERIFY_COMPILED: '1' },
    hookTimeout: 60_000,
  },
});
