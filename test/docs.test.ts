import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERRORS, type ErrorSpec } from '../src/errors.js';
import { parsePolicy } from '../src/policy/policy.js';
import { RULES } from '../src/rules/index.js';

const ROOT = join(import.meta.dirname, '..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('the documentation', () => {
  it('shows the example policy in README exactly as examples/policy.yaml, and it compiles', () => {
    const example = read('examples/policy.yaml');
    expect(read('README.md')).toContain(example);
    expect(() => parsePolicy(example, RULES)).not.toThrow();
  });

  it('lists every rule in README', () => {
    const readme = read('README.md');
    for (const rule of RULES) expect(readme).toContain(`| \`${rule.id}\` | ${rule.defaultAction} |`);
  });

  it('documents every error code in docs/errors.md with its meaning, HTTP and exit status, and nothing else', () => {
    const documented = [...read('docs/errors.md').matchAll(/^\| `(KG_[A-Z_]+)` \| (.+) \| (\d+|–) \| (\d+|–) \|$/gm)];
    const status = (value: number | undefined): string => (value === undefined ? '–' : String(value));
    const catalogue = Object.entries(ERRORS).map(([code, spec]: [string, ErrorSpec]) => [code, spec.meaning, status(spec.httpStatus), status(spec.exitStatus)]);
    expect(documented.map((m) => m.slice(1, 5))).toEqual(catalogue);
  });

  it('emits no error code that the catalogue lacks', () => {
    const emitted = new Set<string>();
    for (const file of sourceFiles(join(ROOT, 'src'))) {
      for (const match of readFileSync(file, 'utf8').matchAll(/['"`](KG_[A-Z_]+)\b/g)) emitted.add(match[1]!);
    }
    expect(emitted.size).toBeGreaterThan(5);
    expect([...emitted].filter((code) => !(code in ERRORS))).toEqual([]);
  });
});
