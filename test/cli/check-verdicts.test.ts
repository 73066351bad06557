/**
 * Verdicts a user relies on, through the built command: the classic NetworkPolicies are
 * allowed, every spelling of "the whole internet" is denied by netpol-world-ingress, and
 * pod-not-isolated sees the NetworkPolicies given in the same run, across files and stdin.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { lineContaining, parseJsonReport, ROOT, ruleFixture, rulesOf, runCli, type CliResult, type JsonReport, type JsonResult } from './helpers.js';

const CLASSIC = [
  ruleFixture('netpol-world-ingress', 'pass', 'deny-all'),
  ruleFixture('netpol-world-ingress', 'pass', 'allow-from-frontend'),
  ruleFixture('netpol-world-ingress', 'pass', 'ipblock-with-except'),
  ruleFixture('netpol-world-egress', 'pass', 'egress-to-database-ip'),
  ruleFixture('netpol-world-ingress', 'pass', 'cross-namespace-selectors'),
];

/** [fixture, what it spells, reported path, text of the line the finding points at]. */
const EVASIVE: readonly (readonly [string, string, string, string])[] = [
  ['cidr-all-ipv4', '0.0.0.0/0', 'spec.ingress[0].from[0].ipBlock.cidr', 'cidr: 0.0.0.0/0'],
  ['cidr-all-ipv6', '::/0', 'spec.ingress[0].from[0].ipBlock.cidr', 'cidr: ::/0'],
  ['leading-zeros', '000.0.0.0/00', 'spec.ingress[0].from[0].ipBlock.cidr', 'cidr: 000.0.0.0/00'],
  ['host-bits-set', '1.2.3.4/0', 'spec.ingress[0].from[0].ipBlock.cidr', 'cidr: 1.2.3.4/0'],
  ['ipv4-mapped', '::ffff:0.0.0.0/96', 'spec.ingress[0].from[0].ipBlock.cidr', 'cidr: "::ffff:0.0.0.0/96"'],
  ['split-halves', '0.0.0.0/1 and 128.0.0.0/1 in two rules', 'spec.ingress[0].from[0].ipBlock.cidr', 'cidr: 0.0.0.0/1'],
  ['except-private-ranges', '0.0.0.0/0 except the private ranges', 'spec.ingress[0].from[0].ipBlock.cidr', 'cidr: 0.0.0.0/0'],
  ['empty-rule', 'ingress: [{}]', 'spec.ingress[0]', '- {}'],
  ['ports-only-rule', 'a ports-only rule', 'spec.ingress[0]', '- ports:'],
];

function evasiveFile(name: string): string {
  return ruleFixture('netpol-world-ingress', 'fail', name);
}

function resultOf(report: JsonReport, file: string): JsonResult {
  const result = report.results.find((entry) => entry.file === file);
  if (result === undefined) throw new Error(`no result for ${file}`);
  return result;
}

describe('kube-guardrails check: verdicts on classic and evasive NetworkPolicies', () => {
  let run: CliResult;
  let report: JsonReport;
  beforeAll(async () => {
    run = await runCli(['check', '--output', 'json', ...CLASSIC, ...EVASIVE.map(([name]) => evasiveFile(name))]);
    report = parseJsonReport(run.stdout);
  });

  it('exits 1 with a clean stderr when any object in the run is denied', () => {
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    expect(report.summary.objects).toBe(CLASSIC.length + EVASIVE.length);
    expect(report.summary.denied).toBe(EVASIVE.length);
  });

  it.each(CLASSIC)('allows the classic policy in %s, with no internet finding and no deny', (file) => {
    const result = resultOf(report, file);
    expect(result.allowed).toBe(true);
    expect(rulesOf(result)).not.toContain('netpol-world-ingress');
    expect(rulesOf(result)).not.toContain('netpol-world-egress');
    expect(result.violations.filter((violation) => violation.action === 'deny')).toEqual([]);
  });

  it.each(EVASIVE)('denies %s (%s) with netpol-world-ingress at the offending field', (name, _spelling, path, lineText) => {
    const file = evasiveFile(name);
    const result = resultOf(report, file);
    expect(result.allowed).toBe(false);
    const finding = result.violations.find((violation) => violation.rule === 'netpol-world-ingress');
    expect(finding).toMatchObject({ action: 'deny', path, line: lineContaining(file, lineText) });
    expect(finding?.message).toMatch(/internet/);
  });
});

describe('kube-guardrails check: the same verdicts from a multi-document file and a kind: List', () => {
  it('allows every classic policy of a multi-document file and denies all nine evasive items of a kind: List', async () => {
    const classic = 'examples/manifests/classic-policies.yaml';
    const evasive = 'examples/manifests/evasive-world.yaml';
    const run = await runCli(['check', '--output', 'json', classic, evasive]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    const results = parseJsonReport(run.stdout).results;
    expect(results.filter((result) => result.file === classic).map((result) => [result.name, result.allowed])).toEqual([
      ['default-deny', true],
      ['allow-from-frontend', true],
      ['partner-with-except', true],
      ['egress-to-database', true],
      ['from-monitoring', true],
    ]);
    const items = results.filter((result) => result.file === evasive);
    expect(items.map((result) => result.name)).toEqual(['plain', 'ipv6', 'zeros', 'host-bits', 'mapped', 'halves', 'except-private', 'empty-rule', 'ports-only']);
    for (const item of items) {
      expect(item.allowed, item.name).toBe(false);
      expect(item.violations.map((violation) => [violation.rule, violation.action]), item.name).toEqual([['netpol-world-ingress', 'deny']]);
    }
  });
});

describe('kube-guardrails check: pod-not-isolated against the NetworkPolicies of the same run', () => {
  const deployment = ruleFixture('pod-not-isolated', 'fail', 'no-policy-in-namespace');
  const defaultDeny = ruleFixture('netpol-world-ingress', 'pass', 'deny-all');

  it('reports a Deployment whose namespace has no NetworkPolicy in the input as a warning, and exits 0 as nothing is denied', async () => {
    const result = await runCli(['check', '--output', 'json', deployment]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const [web] = parseJsonReport(result.stdout).results;
    expect(web).toMatchObject({ kind: 'Deployment', namespace: 'team-a', name: 'web', allowed: true });
    expect(web?.violations).toEqual([expect.objectContaining({ rule: 'pod-not-isolated', action: 'warn' })]);
  });

  it('does not report the Deployment when another file of the same run holds a default-deny policy for its namespace', async () => {
    const result = await runCli(['check', '--output', 'json', deployment, defaultDeny]);
    expect(result.code).toBe(0);
    const report = parseJsonReport(result.stdout);
    expect(report.results.map((entry) => [entry.kind, entry.name])).toEqual([['Deployment', 'web'], ['NetworkPolicy', 'default-deny']]);
    expect(report.results.flatMap(rulesOf)).toEqual([]);
  });

  it('reads manifests from standard input for "-" and judges them together with the files of the run', async () => {
    const stdin = readFileSync(join(ROOT, deployment), 'utf8');
    const result = await runCli(['check', '--output', 'json', '-', defaultDeny], { stdin });
    expect(result.code).toBe(0);
    const [fromStdin, policy] = parseJsonReport(result.stdout).results;
    expect(fromStdin).toMatchObject({ file: '<stdin>', line: 2, kind: 'Deployment', name: 'web', violations: [] });
    expect(policy).toMatchObject({ file: defaultDeny, kind: 'NetworkPolicy', name: 'default-deny' });
  });
});
