/**
 * Rule fixtures: real manifests under src/rules/<id>/fixtures/{pass,fail}/. The first
 * document is the object under review; the others are the cluster state it is judged
 * in. A fixture may carry its own policy: `<name>.policy.yaml` beside it sets the
 * parameters (and the internet share) it is judged with. Unit tests, CLI golden tests
 * and the generated rule docs all read them through here.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { manifestView } from '../cluster/manifest-view.js';
import { DEFAULT_NAMESPACE } from '../core/kubernetes/kinds.js';
import { readSubject } from '../core/kubernetes/subject.js';
import { parseManifests } from '../manifests/parse-manifests.js';
import { defaultPolicy, parsePolicy, type Policy } from '../policy/policy.js';
import type { Finding, Rule } from '../rules/types.js';

export interface Fixture {
  readonly ruleId: string;
  readonly outcome: 'pass' | 'fail';
  readonly name: string;
  readonly path: string;
  readonly text: string;
  /** The text of `<name>.policy.yaml`, when the fixture carries its own policy. */
  readonly policyText?: string;
}

const POLICY_SUFFIX = '.policy.yaml';

function readFixture(ruleId: string, outcome: Fixture['outcome'], directory: string, file: string): Fixture {
  const path = join(directory, file);
  const name = file.replace(/\.yaml$/, '');
  const policyPath = join(directory, `${name}${POLICY_SUFFIX}`);
  const fixture = { ruleId, outcome, name, path, text: readFileSync(path, 'utf8') };
  return existsSync(policyPath) ? { ...fixture, policyText: readFileSync(policyPath, 'utf8') } : fixture;
}

export function listFixtures(rulesDirectory: string, ruleId: string): Fixture[] {
  return (['pass', 'fail'] as const).flatMap((outcome) => {
    const directory = join(rulesDirectory, ruleId, 'fixtures', outcome);
    let names: string[];
    try {
      names = readdirSync(directory)
        .filter((name) => name.endsWith('.yaml') && !name.endsWith(POLICY_SUFFIX))
        .sort();
    } catch {
      return [];
    }
    return names.map((file) => readFixture(ruleId, outcome, directory, file));
  });
}

/** The policy a fixture is judged with: its own, or the built-in one. */
function fixturePolicy(fixture: Fixture, rules: readonly Rule[]): Policy {
  return fixture.policyText === undefined ? defaultPolicy(rules) : parsePolicy(fixture.policyText, rules);
}

/** The findings of one rule on a fixture's first document, with the fixture's policy. */
export function runFixture(rule: Rule, fixture: Fixture, rules: readonly Rule[]): readonly Finding[] {
  const entries = parseManifests(fixture.text, fixture.path);
  const objects = entries.map((entry) => entry.object);
  const [first] = objects;
  if (first === undefined || entries[0] === undefined) throw new Error(`${fixture.path}: empty fixture`);
  const view = manifestView(objects, DEFAULT_NAMESPACE);
  const policy = fixturePolicy(fixture, rules);
  const subject = readSubject(first, DEFAULT_NAMESPACE);
  if (subject.judgedAs === 'Other' || !rule.appliesTo.includes(subject.judgedAs)) return [];
  return rule.check(subject, { params: policy.rules.get(rule.id)?.params, view, internet: policy.internet, source: entries[0].source });
}
