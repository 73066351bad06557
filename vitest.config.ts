import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The e2e suite runs through its own config (test/e2e/vitest.config.ts).
    exclude: ['node_modules/**', 'dist/**', 'test/e2e/**'],
    pool: 'forks',
    testTimeout: 20_000,
  },
});
