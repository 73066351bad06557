// StrykerJS: mutation testing of the pure core and the rules (`npm run test:mutation`).
// For the core alone: npx stryker run --mutate 'src/core/**/*.ts,!src/core/**/*.test.ts'
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
const config = {
  packageManager: 'npm',
  testRunner: 'vitest',
  vitest: {
    // Unit tests only (src/**/*.test.ts); the process-spawning suites under test/ are left out.
    configFile: 'vitest.mutation.config.ts',
    // Vitest's related-file lookup finds no tests here: coverage analysis picks the tests instead.
    related: false,
    // Stryker's runner sets vitest's root dir itself; this keeps the run to src/.
    dir: 'src',
  },
  mutate: ['src/core/**/*.ts', 'src/rules/**/*.ts', '!**/*.test.ts', '!**/fixtures/**'],
  ignorePatterns: ['dist', 'dist-bench', 'coverage', 'reports', 'bench/results', 'certs/out', '.stryker-tmp*', 'test/e2e/k8sbin'],
  coverageAnalysis: 'perTest',
  // Mutants in code that runs at import (rule descriptions, schemas, tables) rerun every
  // test for each mutant: hours on this machine. They are left out and reported as
  // ignored; the behaviour they feed is covered through the fixtures and golden tests.
  ignoreStatic: true,
  // The machine has two cores, shared with other work.
  concurrency: 1,
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 80, low: 60, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};

export default config;
