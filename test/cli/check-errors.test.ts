/**
 * Exit status 2 and one line on stderr for everything a user can get wrong: the command
 * line, the input files and the policy file. Nothing on stdout, never a stack trace.
 */
import { chmod, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, makeTempDir, removeTempDir, ruleFixture, runCli, STACK_FRAME, stderrLines, type CliResult } from './helpers.js';

const WORLD = ruleFixture('netpol-world-ingress', 'fail', 'cidr-all-ipv4');

function expectInputError(result: CliResult, code: string, detail: RegExp): void {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stdout).toBe('');
  expect(stderrLines(result)).toHaveLength(1);
  expect(result.stderr).toMatch(new RegExp(`^kube-guardrails: ${code}: `));
  expect(result.stderr).toMatch(detail);
  expect(result.stderr).not.toMatch(STACK_FRAME);
  expect(result.stderr.endsWith('\n')).toBe(true);
}

describe('kube-guardrails check: usage errors', () => {
  it.each<[string, string[], RegExp]>([
    ['an unknown option', ['check', '--bogus', WORLD], /unknown option '--bogus'/],
    ['an --output value that is not a format', ['check', '--output', 'xml', WORLD], /xml.*text, json, sarif, junit/],
    ['a missing path argument', ['check', '--output', 'json'], /missing required argument/],
  ])('rejects %s with exit status 2 and a one-line KG_USAGE message', async (_what, args, detail) => {
    expectInputError(await runCli(args), 'KG_USAGE', detail);
  });
});

describe('kube-guardrails check: input errors', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeTempDir();
    await writeFile(join(dir, 'locked.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n');
    await chmod(join(dir, 'locked.yaml'), 0o000);
    await symlink('loop.yaml', join(dir, 'loop.yaml'));
  });
  afterAll(async () => {
    await removeTempDir(dir);
  });

  it('rejects a nonexistent file with exit status 2 and prints no partial report for the files before it', async () => {
    const result = await runCli(['check', WORLD, 'no/such/file.yaml']);
    expectInputError(result, 'KG_INPUT_UNREADABLE', /cannot read no\/such\/file\.yaml: no such file or directory/);
  });

  it.skipIf(process.getuid?.() === 0)('rejects a file it may not read with exit status 2', async () => {
    const result = await runCli(['check', join(dir, 'locked.yaml')]);
    expectInputError(result, 'KG_INPUT_UNREADABLE', /locked\.yaml: permission denied/);
  });

  it('rejects a path it cannot open (a symbolic link loop) with exit status 2', async () => {
    const result = await runCli(['check', join(dir, 'loop.yaml')]);
    expectInputError(result, 'KG_INPUT_UNREADABLE', /cannot read .*loop\.yaml/);
  });

  it('rejects unparseable YAML with exit status 2, naming the file, line and column', async () => {
    const result = await runCli(['check', `${FIXTURES}/invalid/not-yaml.yaml`]);
    expectInputError(result, 'KG_BAD_MANIFEST', /test\/cli\/fixtures\/invalid\/not-yaml\.yaml:\d+:\d+: invalid YAML/);
  });

  it('rejects a document without kind with exit status 2, naming the document and its line', async () => {
    const result = await runCli(['check', `${FIXTURES}/invalid/second-document-without-kind.yaml`]);
    expectInputError(result, 'KG_BAD_MANIFEST', /second-document-without-kind\.yaml:8: document 2 is not a Kubernetes object/);
  });

  it('rejects a kind: List item without kind with exit status 2, naming the item and its line', async () => {
    const result = await runCli(['check', `${FIXTURES}/invalid/list-item-without-kind.yaml`]);
    expectInputError(result, 'KG_BAD_MANIFEST', /list-item-without-kind\.yaml:8: items\[1\] is not a Kubernetes object/);
  });
});

describe('kube-guardrails check: policy file errors', () => {
  it.each<[string, string, RegExp]>([
    ['an enforcement value outside the schema', 'bad-enforcement.yaml', /bad-enforcement\.yaml: enforcement: /],
    ['an unknown rule id', 'unknown-rule.yaml', /rules\.no-such-rule: unknown rule/],
    ['a YAML syntax error', 'not-yaml.yaml', /not-yaml\.yaml: line \d+: /],
  ])('rejects a policy file with %s with exit status 2 and a one-line KG_BAD_POLICY message', async (_what, file, detail) => {
    const result = await runCli(['check', '--policy', `${FIXTURES}/policies/${file}`, WORLD]);
    expectInputError(result, 'KG_BAD_POLICY', detail);
  });

  it('rejects a policy file that does not exist with exit status 2', async () => {
    const result = await runCli(['check', '--policy', 'no/such/policy.yaml', WORLD]);
    expectInputError(result, 'KG_INPUT_UNREADABLE', /cannot read no\/such\/policy\.yaml/);
  });
});
