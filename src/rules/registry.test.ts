import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listFixtures, runFixture } from '../docs/fixtures.js';
import { renderRuleDocs } from '../docs/rule-docs.js';
import { findingLine } from '../report/finding-text.js';
import { RULES } from './index.js';

const RULES_DIRECTORY = join(import.meta.dirname);
const ROOT = join(import.meta.dirname, '..', '..');

describe('the rule registry', () => {
  it('lists every rule once, sorted by id', () => {
    const ids = RULES.map((rule) => rule.id);
    expect(ids).toEqual([...new Set(ids)].sort());
  });

  it.each(RULES.map((rule) => [rule.id, rule] as const))('%s lives in a folder and file named after its id', (id) => {
    expect(id).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
    expect(existsSync(join(RULES_DIRECTORY, id, `${id}.ts`))).toBe(true);
  });

  it.each(RULES.map((rule) => [rule.id, rule] as const))('%s has a description, a remediation sentence and default parameters', (_id, rule) => {
    expect(rule.description.length).toBeGreaterThan(40);
    expect(rule.remediation).toMatch(/^[A-Z].{20,}\.$/s);
    expect(rule.params.safeParse({}).success).toBe(true);
  });

  it.each(RULES.map((rule) => [rule.id] as const))('%s has passing and failing fixtures', (id) => {
    const fixtures = listFixtures(RULES_DIRECTORY, id);
    expect(fixtures.filter((f) => f.outcome === 'pass').length).toBeGreaterThan(0);
    expect(fixtures.filter((f) => f.outcome === 'fail').length).toBeGreaterThan(0);
  });

  it('has docs/rules.md in step with the code (run `npm run docs` after changing a rule)', () => {
    expect(readFileSync(join(ROOT, 'docs', 'rules.md'), 'utf8')).toBe(renderRuleDocs(RULES_DIRECTORY, RULES));
  });
});

describe.each(RULES.map((rule) => [rule.id, rule] as const))('rule %s', (id, rule) => {
  const fixtures = listFixtures(RULES_DIRECTORY, id);

  it.each(fixtures.filter((f) => f.outcome === 'pass').map((f) => [f.name, f] as const))('does not report pass/%s', (_name, fixture) => {
    expect(runFixture(rule, fixture, RULES)).toEqual([]);
  });

  it.each(fixtures.filter((f) => f.outcome === 'fail').map((f) => [f.name, f] as const))('reports fail/%s', (_name, fixture) => {
    const findings = runFixture(rule, fixture, RULES);
    expect(findings.length).toBeGreaterThan(0);
    for (const finding of findings) {
      expect(finding.path.length).toBeGreaterThan(0);
      // One line the user reads first: what is wrong and the value, within the 100 characters a warning leaves it.
      expect(finding.summary.length).toBeGreaterThan(10);
      expect(finding.summary.length).toBeLessThanOrEqual(100);
      expect(finding.summary).not.toMatch(/[\n\r]|\.$/);
      expect(finding.fix).toMatch(/^[A-Z`].{10,}\.$/);
      expect(finding.fix.length).toBeLessThanOrEqual(130);
      expect(finding.fix).not.toMatch(/[\n\r]|request an exemption/);
      if (finding.equivalent !== undefined) expect(finding.value).toBeDefined();
      if (finding.value !== undefined) expect(finding.summary).toContain(finding.value.length <= 30 ? finding.value : finding.value.slice(0, 14));
    }
    // The whole finding is the contract: every output renders from these fields.
    expect(
      findings.map((finding) => ({
        line: findingLine(rule.id, finding),
        ...(finding.value === undefined ? {} : { value: finding.value }),
        ...(finding.equivalent === undefined ? {} : { equivalent: finding.equivalent }),
        ...(finding.details === undefined ? {} : { details: finding.details }),
      })),
    ).toMatchSnapshot();
  });
});
