import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/**', 'dist-bench/**', 'node_modules/**', 'coverage/**', 'test/e2e/k8sbin/**', 'bench/results/**', '.stryker-tmp*/**', 'reports/**'] },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js', 'stryker.config.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      complexity: ['error', 10],
      'max-depth': ['error', 3],
      'max-params': ['error', 4],
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read the environment only in src/config.ts.' }],
    },
  },
  {
    // The pure core: no IO, no logging, no clock.
    files: ['src/core/**', 'src/rules/**', 'src/engine/**', 'src/policy/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: ['fs', 'http', 'https', 'net', 'fastify', 'pino', 'prom-client'].map((name) => ({ name, message: 'The core is pure: no IO, no logging.' })),
        patterns: [
          { group: ['node:*'], message: 'The core is pure: no IO, no logging.' },
          { group: ['**/server/**', '**/cli/**', '**/main'], message: 'The core must not depend on the edges.' },
          { group: ['@kubernetes/client-node'], allowTypeImports: true, message: 'Types only in the core.' },
        ],
      }],
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'The core takes the time from its caller.' }],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'The core takes the time from its caller.' }, { object: 'process', property: 'env', message: 'Read the environment only in src/config.ts.' }],
    },
  },
  {
    // The rule set is passed in where the program is composed, never imported by the parts.
    // The check worker thread is composed on its own: functions cannot cross to a thread.
    files: ['src/**'],
    ignores: ['src/main.ts', 'src/cli/check-worker.ts', 'src/cli/audit-worker.ts', 'src/server/review-worker.ts', 'src/docs/generate-rule-docs.ts', '**/*.test.ts', 'src/rules/index.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/rules/index.js', './index.js'], message: 'Take the rule set as a parameter; only src/main.ts and the docs generator import the registry.' }] }],
    },
  },
  {
    files: ['src/config.ts', 'test/**', 'bench/**', 'scripts/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['**/*.test.ts', 'test/**'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Tests read arbitrary YAML and JSON back; typing every shape would hide the intent.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      'max-params': 'off',
    },
  },
);
