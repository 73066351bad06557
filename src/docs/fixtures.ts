/**
 * Rule fixtures: real manifests under src/rules/<id>/fixtures/{pass,fail}/. The first
 * document is the object under review; the others are the cluster state it is judged in.
 * Unit tests, CLI golden tests and the generated rule docs all read them through here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { manifestView } from '../engine/manifest-view.js';
import { parseManifests } from '../manifests/parse-manifests.js';
import { DEFAULT_POLICY } from '../policy/policy.js';
import type { Finding, Rule } from '../rules/types.js';
import { readSubject } from '../core/kubernetes/subject.js';

export type FixtureOutcome = 'pass' | 'fail';

export interface Fixture {
  readonly ruleId: string;
  readonly outcome: FixtureOutcome;
  readonly name: string;
  readonly path: string;
  readonly text: string;
}

export const FIXTURE_NAMESPACE = 'default';

export function listFixtures(rulesDirectory: string, ruleId: string): Fixture[] {
  return (['pass', 'fail'] as const).flatMap((outcome) => {
    const directory = join(rulesDirectory, ruleId, 'fixtures', outcome);
    let names: string[];
    try {
      names = readdirSync(directory).filter((name) => name.endsWith('.yaml')).sort();
    } catch {
      return [];
    }
    return names.map((file) => {
      const path = join(directory, file);
      return { ruleId, outcome, name: file.replace(/\.yaml$/, ''), path, text: readFileSync(path, 'utf8') };
    });
  });
}

/** The findings of one rule, with default parameters, on a fixture's first document. */
export function runFixture(rule: Rule, fixture: Fixture): readonly Finding[] {
  const objects = parseManifests(fixture.text, fixture.path).map((entry) => entry.object);
  const [subject] = objects;
  if (subject === undefined) throw new Error(`${fixture.path}: empty fixture`);
  const view = manifestView(objects, FIXTURE_NAMESPACE);
  const params = DEFAULT_POLICY.rules.get(rule.id)?.params;
  return rule.check(readSubject(subject, FIXTURE_NAMESPACE), { params, view });
}
