import { defineConfig } from 'vitest/config';

/**
 * The unit tests only, for StrykerJS (`npm run test:mutation`): each mutant reruns the
 * tests that cover it, so the process-spawning suites under test/ (server, cli, e2e)
 * are left out.
 */
export default defineConfig({
  test: {
    // Globs are relative to `dir`, so that Stryker's `vitest.dir` can narrow the run (e.g. to src/core).
    dir: 'src',
    include: ['**/*.test.ts'],
    testTimeout: 20_000,
  },
});
