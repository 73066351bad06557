/**
 * `--output json`: one result per object in input order (files as given, documents in
 * order, kind: List items in order), each with its file, line and the line of every
 * finding; directories walked recursively and sorted; --namespace for objects without one.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, lineContaining, makeTempDir, parseJsonReport, removeTempDir, resultNamed, rulesOf, runCli, type CliResult, type JsonReport } from './helpers.js';

const MIXED = `${FIXTURES}/mixed-documents.yaml`;
const EVASIVE_LIST = 'examples/manifests/evasive-world.yaml';
const NO_NAMESPACE = `${FIXTURES}/no-namespace.yaml`;

describe('kube-guardrails check --output json', () => {
  let run: CliResult;
  let report: JsonReport;
  beforeAll(async () => {
    run = await runCli(['check', '--output', 'json', '--namespace', 'team-q', MIXED, EVASIVE_LIST, NO_NAMESPACE]);
    report = parseJsonReport(run.stdout);
  });

  it('prints one JSON document on stdout and exits 1 when objects are denied', () => {
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    expect(run.stdout.endsWith('}\n')).toBe(true);
  });

  it('lists one result per object in input order: files as given, documents in order, List items in order', () => {
    expect(report.results.map((result) => [result.file, result.kind, result.name])).toEqual([
      [MIXED, 'Pod', 'web'],
      [MIXED, 'NetworkPolicy', 'open-door'],
      [MIXED, 'Pod', 'agent'],
      [MIXED, 'Deployment', 'worker'],
      ...['plain', 'ipv6', 'zeros', 'host-bits', 'mapped', 'halves', 'except-private', 'empty-rule', 'ports-only'].map((name) => [EVASIVE_LIST, 'NetworkPolicy', name]),
      [NO_NAMESPACE, 'NetworkPolicy', 'no-namespace-world'],
    ]);
  });

  it('gives each object the line where it starts, in a multi-document file and inside a kind: List', () => {
    expect(resultNamed(report, 'web').line).toBe(2); // after the file's comment line
    expect(resultNamed(report, 'open-door').line).toBe(lineContaining(MIXED, '- apiVersion: networking.k8s.io/v1'));
    expect(resultNamed(report, 'agent').line).toBe(lineContaining(MIXED, '- apiVersion: v1'));
    expect(resultNamed(report, 'worker').line).toBe(lineContaining(MIXED, 'apiVersion: apps/v1'));
    expect(resultNamed(report, 'plain').line).toBe(lineContaining(EVASIVE_LIST, 'name: plain'));
    expect(resultNamed(report, 'ports-only').line).toBe(lineContaining(EVASIVE_LIST, 'name: ports-only'));
  });

  it('gives each violation its rule, action, path, message and the line of the offending field', () => {
    expect(resultNamed(report, 'web')).toMatchObject({ allowed: true, violations: [] });
    expect(resultNamed(report, 'open-door')).toMatchObject({
      allowed: false,
      violations: [{ rule: 'netpol-world-ingress', action: 'deny', path: 'spec.ingress[0].from[0].ipBlock.cidr', line: lineContaining(MIXED, 'cidr: 0.0.0.0/0') }],
    });
    expect(resultNamed(report, 'agent')).toMatchObject({
      allowed: false,
      violations: [{ rule: 'pod-host-network', action: 'deny', path: 'spec.hostNetwork', line: lineContaining(MIXED, 'hostNetwork: true') }],
    });
    const worker = resultNamed(report, 'worker');
    expect(worker.allowed).toBe(false);
    expect(rulesOf(worker)).toEqual(['required-labels']);
    expect(worker.violations[0]?.path).toBe('spec.template.metadata.labels');
    for (const result of report.results) {
      for (const violation of result.violations) {
        expect(typeof violation.message).toBe('string');
        expect(violation.message.length).toBeGreaterThan(0);
        expect(violation.line).toBeGreaterThanOrEqual(result.line);
      }
    }
  });

  it('sets --namespace on objects that name none and keeps the namespace of those that do', () => {
    expect(resultNamed(report, 'no-namespace-world').namespace).toBe('team-q');
    expect(report.results.filter((result) => result.file !== NO_NAMESPACE).map((result) => result.namespace)).toEqual(Array<string>(13).fill('shop'));
  });

  it('sums the results up in the summary', () => {
    const count = (action: string): number => report.results.flatMap((result) => result.violations).filter((violation) => violation.action === action).length;
    expect(report.summary).toMatchObject({
      files: 3,
      objects: 14,
      denied: report.results.filter((result) => !result.allowed).length,
      deny: count('deny'),
      warn: count('warn'),
      audit: count('audit'),
      waived: 0,
      allowed: false,
    });
    expect(report.summary.denied).toBe(13);
  });
});

describe('kube-guardrails check DIRECTORY', () => {
  let dir: string;
  const pod = (name: string): string => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: team-a\n  labels:\n    app: ${name}\nspec:\n  containers:\n    - name: app\n      image: registry.example.com/app:1.0\n`;
  beforeAll(async () => {
    dir = await makeTempDir();
    await mkdir(join(dir, 'a'));
    await mkdir(join(dir, '0-first', 'nested'), { recursive: true });
    await mkdir(join(dir, '.git'));
    await writeFile(join(dir, 'b.yaml'), pod('b-yaml'));
    await writeFile(join(dir, 'a', 'z.yml'), pod('a-z-yml'));
    await writeFile(join(dir, 'a', 'm.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a-m-json', namespace: 'team-a', labels: { app: 'm' } }, spec: { containers: [{ name: 'app', image: 'x' }] } }, null, 2));
    await writeFile(join(dir, '0-first', 'nested', 'deep.yaml'), `# leading comment\n---\n${pod('deep')}---\n${pod('deep-2')}`);
    await writeFile(join(dir, '.hidden.yaml'), pod('hidden'));
    await writeFile(join(dir, '.git', 'config.yaml'), pod('in-hidden-dir'));
    await writeFile(join(dir, 'notes.txt'), pod('not-a-manifest-file'));
  });
  afterAll(async () => {
    await removeTempDir(dir);
  });

  it('reads *.yaml, *.yml and *.json files recursively in sorted order, skipping hidden entries and other files', async () => {
    const result = await runCli(['check', '--output', 'json', dir]);
    expect(result.code, result.stderr).toBe(0);
    const report = parseJsonReport(result.stdout);
    expect(report.results.map((entry) => [entry.file, entry.name, entry.line])).toEqual([
      [join(dir, '0-first', 'nested', 'deep.yaml'), 'deep', 3],
      [join(dir, '0-first', 'nested', 'deep.yaml'), 'deep-2', 15],
      [join(dir, 'a', 'm.json'), 'a-m-json', 1],
      [join(dir, 'a', 'z.yml'), 'a-z-yml', 1],
      [join(dir, 'b.yaml'), 'b-yaml', 1],
    ]);
    expect(report.summary).toMatchObject({ files: 4, objects: 5, denied: 0, allowed: true });
  });
});
