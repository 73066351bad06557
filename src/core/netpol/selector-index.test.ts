import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { selectorIncludes, selectorMatches, type LabelSelector, type SelectorRequirement } from '../kubernetes/label-selector.js';
import type { NetworkPolicyModel } from '../kubernetes/network-policy.js';
import { policiesThatMayInclude, policiesThatMaySelect } from './selector-index.js';

const KEYS = ['app', 'tier', 'team'];
const VALUES = ['a', 'b', 'c'];

const requirement: fc.Arbitrary<SelectorRequirement> = fc.record({
  key: fc.constantFrom(...KEYS),
  operator: fc.constantFrom('In', 'In', 'NotIn', 'Exists', 'DoesNotExist'),
  values: fc.uniqueArray(fc.constantFrom(...VALUES), { maxLength: 3 }),
});

const selector: fc.Arbitrary<LabelSelector> = fc.record({ requirements: fc.array(requirement, { maxLength: 3 }) });

/** Only the podSelector is read by the index; the rest of the model does not matter here. */
const policyOf = (podSelector: LabelSelector, index: number): NetworkPolicyModel => ({ name: `p${index}`, podSelector }) as unknown as NetworkPolicyModel;

const policies = fc.array(selector, { maxLength: 12 }).map((selectors) => selectors.map(policyOf));
const labels = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES));

describe('the selector index', () => {
  it('offers every policy that selects the pod, in the original order', () => {
    fc.assert(
      fc.property(policies, labels, (all, podLabels) => {
        const candidates = policiesThatMaySelect(all, podLabels);
        const selecting = all.filter((policy) => selectorMatches(policy.podSelector, podLabels));
        expect(candidates.filter((policy) => selectorMatches(policy.podSelector, podLabels))).toEqual(selecting);
        expect(candidates).toEqual(all.filter((policy) => candidates.includes(policy)));
      }),
      { numRuns: 2000 },
    );
  });

  it('offers every policy whose selector includes the given one, in the original order', () => {
    fc.assert(
      fc.property(policies, selector, (all, narrower) => {
        const candidates = policiesThatMayInclude(all, narrower);
        const including = all.filter((policy) => selectorIncludes(policy.podSelector, narrower));
        expect(candidates.filter((policy) => selectorIncludes(policy.podSelector, narrower))).toEqual(including);
        expect(candidates).toEqual(all.filter((policy) => candidates.includes(policy)));
      }),
      { numRuns: 2000 },
    );
  });

  it('narrows: a pod sharing no label with a policy of matchLabels does not get it as a candidate', () => {
    const all = [policyOf({ requirements: [{ key: 'app', operator: 'In', values: ['web'] }] }, 0), policyOf({ requirements: [] }, 1)];
    expect(policiesThatMaySelect(all, { app: 'api' }).map((policy) => policy.name)).toEqual(['p1']);
    expect(policiesThatMaySelect(all, { app: 'web' }).map((policy) => policy.name)).toEqual(['p0', 'p1']);
    expect(policiesThatMayInclude(all, { requirements: [{ key: 'app', operator: 'In', values: ['api'] }] }).map((policy) => policy.name)).toEqual(['p1']);
  });
});
