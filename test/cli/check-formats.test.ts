/**
 * The report formats other tools read: SARIF 2.1.0 for code scanning, JUnit XML for CI
 * test reports, and the text format for people (grouped by file, summary last, colour
 * only when asked for).
 */
import { resolve } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ANSI_ESCAPE,
  ANSI_ESCAPES,
  documentedRuleIds,
  FIXTURES,
  lineContaining,
  ROOT,
  ruleFixture,
  runCli,
  type CliResult,
} from './helpers.js';

const MIXED = `${FIXTURES}/mixed-documents.yaml`;
const WORLD = ruleFixture('netpol-world-ingress', 'fail', 'cidr-all-ipv4');
const ALL_NAMESPACES = ruleFixture('netpol-all-namespaces', 'fail', 'empty-namespace-selector');
const HOST_PORT = ruleFixture('pod-host-port', 'fail', 'container-host-port');
const DENY_ALL = ruleFixture('netpol-world-ingress', 'pass', 'deny-all');

interface SarifResult {
  ruleId: string;
  ruleIndex?: number;
  level: string;
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
}

interface SarifLog {
  version: string;
  runs: { tool: { driver: { name: string; rules: { id: string; help?: { text?: string } }[] } }; results: SarifResult[] }[];
}

function location(result: SarifResult): { uri: string; startLine: number } {
  const physical = result.locations[0]!.physicalLocation;
  return { uri: physical.artifactLocation.uri, startLine: physical.region.startLine };
}

describe('kube-guardrails check --output sarif', () => {
  let run: CliResult;
  let log: SarifLog;
  beforeAll(async () => {
    // The first manifest is given as an absolute path: SARIF must still name it relative to the working directory.
    const args = ['check', '--output', 'sarif', '--policy', `${FIXTURES}/policies/host-port-audit.yaml`, resolve(ROOT, WORLD), ALL_NAMESPACES, HOST_PORT, MIXED];
    run = await runCli(args);
    log = JSON.parse(run.stdout) as SarifLog;
  });

  it('writes a SARIF 2.1.0 log from the tool kube-guardrails with every rule and its help text', () => {
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    const driver = log.runs[0]!.tool.driver;
    expect(driver.name).toBe('kube-guardrails');
    const ids = documentedRuleIds();
    expect(ids.length).toBeGreaterThanOrEqual(11);
    expect(driver.rules.map((rule) => rule.id).sort()).toEqual([...ids].sort());
    for (const rule of driver.rules) expect(rule.help?.text?.trim().length ?? 0, rule.id).toBeGreaterThan(20);
  });

  it('maps deny to error, warn to warning and audit to note', () => {
    const levels = new Map(log.runs[0]!.results.map((result) => [result.ruleId, result.level]));
    expect(levels.get('netpol-world-ingress')).toBe('error');
    expect(levels.get('pod-host-network')).toBe('error');
    expect(levels.get('netpol-all-namespaces')).toBe('warning');
    expect(levels.get('pod-host-port')).toBe('note');
  });

  it('gives every result a known ruleId, a message, a relative forward-slash uri and a startLine of at least 1', () => {
    const results = log.runs[0]!.results;
    const rules = log.runs[0]!.tool.driver.rules;
    expect(results.length).toBe(6);
    for (const result of results) {
      expect(rules.map((rule) => rule.id)).toContain(result.ruleId);
      if (result.ruleIndex !== undefined) expect(rules[result.ruleIndex]?.id).toBe(result.ruleId);
      expect(result.message.text).toContain(result.ruleId);
      const { uri, startLine } = location(result);
      expect(uri).not.toMatch(/\\|^\/|^[a-z]+:/i);
      expect(Number.isInteger(startLine) && startLine >= 1, `${result.ruleId} ${startLine}`).toBe(true);
    }
  });

  it('locates each result at the line of the offending field, in the file where it is written', () => {
    const located = log.runs[0]!.results.map((result) => ({ ruleId: result.ruleId, ...location(result) }));
    expect(located).toEqual(
      expect.arrayContaining([
        { ruleId: 'netpol-world-ingress', uri: WORLD, startLine: lineContaining(WORLD, 'cidr: 0.0.0.0/0') },
        { ruleId: 'netpol-all-namespaces', uri: ALL_NAMESPACES, startLine: lineContaining(ALL_NAMESPACES, 'namespaceSelector: {}') },
        { ruleId: 'pod-host-port', uri: HOST_PORT, startLine: lineContaining(HOST_PORT, 'hostPort: 8080') },
        { ruleId: 'netpol-world-ingress', uri: MIXED, startLine: lineContaining(MIXED, 'cidr: 0.0.0.0/0') },
        { ruleId: 'pod-host-network', uri: MIXED, startLine: lineContaining(MIXED, 'hostNetwork: true') },
      ]),
    );
  });
});

interface XmlNode {
  readonly [key: string]: unknown;
}

function attribute(node: XmlNode, name: string): string {
  const value = node[`@_${name}`];
  if (typeof value !== 'string') throw new Error(`missing attribute ${name}`);
  return value;
}

function children(node: XmlNode, tag: string): XmlNode[] {
  const value = node[tag];
  return Array.isArray(value) ? (value as XmlNode[]) : [];
}

describe('kube-guardrails check --output junit', () => {
  it('writes parseable JUnit XML with one testcase per object and a failure for each denied object only', async () => {
    const run = await runCli(['check', '--output', 'junit', MIXED, DENY_ALL, HOST_PORT]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites /);
    const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', isArray: (tag) => ['testsuite', 'testcase', 'failure'].includes(tag) });
    const root = (parser.parse(run.stdout) as { testsuites: XmlNode }).testsuites;
    expect([attribute(root, 'tests'), attribute(root, 'failures')]).toEqual(['6', '3']);

    const suites = children(root, 'testsuite');
    expect(suites.map((suite) => [attribute(suite, 'name'), attribute(suite, 'tests'), attribute(suite, 'failures')])).toEqual([
      [MIXED, '4', '3'],
      [DENY_ALL, '1', '0'],
      [HOST_PORT, '1', '0'],
    ]);
    const cases = suites.flatMap((suite) => children(suite, 'testcase'));
    expect(cases).toHaveLength(6);
    const testcase = (name: string): XmlNode => {
      const found = cases.find((entry) => attribute(entry, 'name').endsWith(` ${name}`));
      if (found === undefined) throw new Error(`no testcase for ${name}`);
      return found;
    };
    const failureCount = (name: string): number => children(testcase(name), 'failure').length;
    const objects = ['shop/web', 'shop/open-door', 'shop/agent', 'shop/worker', 'team-a/default-deny', 'team-a/web'];
    expect(objects.map(failureCount)).toEqual([0, 1, 1, 1, 0, 0]);
    expect(JSON.stringify(children(testcase('shop/open-door'), 'failure'))).toContain('[netpol-world-ingress]');
  });
});

describe('kube-guardrails check (text output)', () => {
  const args = ['check', MIXED, DENY_ALL, HOST_PORT];
  let plain: CliResult;
  beforeAll(async () => {
    plain = await runCli(args);
  });

  it('groups findings under a header per file, with the line, [rule id] and path of each, and ends with a summary line', () => {
    expect(plain.code).toBe(1);
    expect(plain.stderr).toBe('');
    const lines = plain.stdout.trimEnd().split('\n');
    const headers = lines.filter((line) => line !== '' && !line.startsWith(' '));
    const summary = headers.pop();
    expect(headers).toEqual([MIXED, HOST_PORT]); // the allowed file without findings is not listed
    expect(summary).toMatch(/3 of 6 objects denied/);
    expect(summary).toMatch(/6 objects in 3 files/);

    const section = (header: string): string => {
      const start = lines.indexOf(header);
      const end = lines.findIndex((line, index) => index > start && line === '');
      return lines.slice(start, end).join('\n');
    };
    const mixed = section(MIXED);
    expect(mixed).toContain(`${lineContaining(MIXED, 'cidr: 0.0.0.0/0')}: DENY  [netpol-world-ingress] spec.ingress[0].from[0].ipBlock.cidr: `);
    expect(mixed).toContain(`${lineContaining(MIXED, 'hostNetwork: true')}: DENY  [pod-host-network] spec.hostNetwork: `);
    expect(mixed).toContain('[required-labels] spec.template.metadata.labels: ');
    expect(mixed).not.toContain('[pod-host-port]');
    expect(section(HOST_PORT)).toContain(`${lineContaining(HOST_PORT, 'hostPort: 8080')}: WARN  [pod-host-port] spec.containers[0].ports[0].hostPort: `);
  });

  it('prints no colour escapes with NO_COLOR=1', () => {
    expect(plain.stdout).not.toMatch(ANSI_ESCAPE);
  });

  it('colours the text output when FORCE_COLOR=1, with the same text underneath', async () => {
    const coloured = await runCli(args, { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(coloured.code).toBe(1);
    expect(coloured.stdout).toMatch(ANSI_ESCAPE);
    expect(coloured.stdout.replace(ANSI_ESCAPES, '')).toBe(plain.stdout);
  });

  it('prints no colour escapes to a pipe when neither NO_COLOR nor FORCE_COLOR is set', async () => {
    const result = await runCli(args, { env: { NO_COLOR: undefined, FORCE_COLOR: undefined } });
    expect(result.stdout).toBe(plain.stdout);
  });
});
