import { defineConfig } from 'vitest/config';

// The end-to-end suite: one real control plane for all files, run one file at a time.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/e2e/global-setup.ts'],
    fileParallelism: false,
    sequence: { concurrent: false },
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
