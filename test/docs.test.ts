import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/errors.js';
import { parsePolicy } from '../src/policy/policy.js';
import { RULES } from '../src/rules/index.js';

const ROOT = join(import.meta.dirname, '..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

describe('the documentation', () => {
  it('shows the example policy in README exactly as examples/policy.yaml, and it compiles', () => {
    const example = read('examples/policy.yaml');
    expect(read('README.md')).toContain(example);
    expect(() => parsePolicy(example)).not.toThrow();
  });

  it('lists every rule in README', () => {
    const readme = read('README.md');
    for (const rule of RULES) expect(readme).toContain(`| \`${rule.id}\` | ${rule.defaultAction} |`);
  });

  it('documents every error code in docs/errors.md, and nothing else', () => {
    const documented = [...read('docs/errors.md').matchAll(/^\| `(KG_[A-Z_]+)` \| (.+) \|$/gm)];
    expect(Object.fromEntries(documented.map((m) => [m[1], m[2]]))).toEqual(ERROR_CODES);
  });
});
