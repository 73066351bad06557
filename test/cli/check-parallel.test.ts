/**
 * `check --jobs N` shares the files among worker threads; what a user sees must not
 * depend on it: the same report byte for byte in every format, the same first error and
 * exit status, the same policy. The rule fixtures are a corpus of every finding there is.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFixtures } from '../../src/docs/fixtures.js';
import { RULES } from '../../src/rules/index.js';
import { FIXTURES, makeTempDir, removeTempDir, ROOT, runCli } from './helpers.js';

let corpus = '';

beforeAll(async () => {
  corpus = await makeTempDir();
  const fixtures = RULES.flatMap((rule) => listFixtures(join(ROOT, 'src', 'rules'), rule.id));
  await Promise.all(
    fixtures.map(async (fixture, index) => {
      const directory = join(corpus, String(index % 7));
      await mkdir(directory, { recursive: true });
      await copyFile(fixture.path, join(directory, `${fixture.ruleId}-${fixture.outcome}-${fixture.name}.yaml`));
    }),
  );
});

afterAll(async () => {
  await removeTempDir(corpus);
});

describe('check on worker threads', () => {
  it.each(['json', 'sarif', 'junit', 'text'])('gives the same %s report with 1, 2 and 3 jobs', async (format) => {
    const [one, two, three] = await Promise.all(['1', '2', '3'].map((jobs) => runCli(['check', '-o', format, '--jobs', jobs, corpus])));
    expect(one?.code).toBe(1);
    expect(one?.stdout.length).toBeGreaterThan(1000);
    for (const other of [two, three]) {
      expect(other?.stdout).toBe(one?.stdout);
      expect(other?.stderr).toBe(one?.stderr);
      expect(other?.code).toBe(one?.code);
    }
  });

  it('judges with the policy given, on every thread', async () => {
    const policy = join(ROOT, FIXTURES, 'policies', 'host-network-off.yaml');
    const [one, two] = await Promise.all(['1', '2'].map((jobs) => runCli(['check', '-o', 'json', '--policy', policy, '--jobs', jobs, corpus])));
    expect(two?.stdout).toBe(one?.stdout);
    expect(one?.stdout).not.toContain('"rule": "pod-host-network"');
  });

  it('fails on the first unreadable file in input order, as one thread does', async () => {
    const broken = await makeTempDir();
    try {
      await writeFile(join(broken, 'a.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n');
      await writeFile(join(broken, 'b.yaml'), 'kind: [unclosed\n');
      await writeFile(join(broken, 'c.yaml'), 'a: 1\n---x\n');
      const [one, two] = await Promise.all(['1', '2'].map((jobs) => runCli(['check', '--jobs', jobs, broken])));
      expect(one?.code).toBe(2);
      expect(one?.stderr).toMatch(/KG_BAD_MANIFEST: .*b\.yaml:\d+:\d+: invalid YAML/);
      expect(two?.stderr).toBe(one?.stderr);
      expect(two?.code).toBe(2);
    } finally {
      await removeTempDir(broken);
    }
  });

  it('refuses a --jobs that is not a count', async () => {
    const result = await runCli(['check', '--jobs', 'many', corpus]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--jobs must be 1–64, got "many"');
  });
});
