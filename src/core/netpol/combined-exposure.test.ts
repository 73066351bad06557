import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { networkPolicy } from '../../../test/helpers/objects.js';
import { selectorMatches, type Labels } from '../kubernetes/label-selector.js';
import { readNetworkPolicy, type Direction, type NetworkPolicyModel } from '../kubernetes/network-policy.js';
import { AddressSet } from '../net/address-set.js';
import { admitsWorld, directionExposure, publicShareOf } from './admitted-addresses.js';
import { worldCompletion } from './combined-exposure.js';

const THRESHOLD = 0.5;

const read = (name: string, spec: Record<string, unknown>): NetworkPolicyModel => readNetworkPolicy(networkPolicy(name, spec), 'default');

const WEB = { matchLabels: { app: 'web' } };
const API = { matchLabels: { app: 'api' } };

/** Ingress from the given cidrs only, for the pods of `selector`. */
const ingressFrom = (name: string, selector: Record<string, unknown>, ...cidrs: string[]): NetworkPolicyModel =>
  read(name, { podSelector: selector, policyTypes: ['Ingress'], ingress: [{ from: cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ port: 443 }] }] });

const egressTo = (name: string, selector: Record<string, unknown>, ...cidrs: string[]): NetworkPolicyModel =>
  read(name, { podSelector: selector, policyTypes: ['Egress'], egress: [{ to: cidrs.map((cidr) => ({ ipBlock: { cidr } })) }] });

const q1 = ingressFrom('q1', WEB, '0.0.0.0/2');
const q2 = ingressFrom('q2', WEB, '64.0.0.0/2');
const q3 = ingressFrom('q3', WEB, '128.0.0.0/2');
const q4 = ingressFrom('q4', WEB, '192.0.0.0/2');
const QUARTERS = [q1, q2, q3, q4];

const names = (policies: readonly NetworkPolicyModel[]): string[] => policies.map((policy) => policy.name);
const admittedBy = (policy: NetworkPolicyModel, direction: Direction): AddressSet => directionExposure(policy, direction).admitted;

describe('worldCompletion: quarters of IPv4 for the same pods', () => {
  it('finds that q1 completes the internet with q2: 0.0.0.0/1 is over half of public IPv4', () => {
    const completion = worldCompletion(q1, [q1, q2], 'ingress', THRESHOLD);
    expect(completion).toBeDefined();
    expect(names(completion!.others)).toEqual(['q2']);
    expect(completion!.admitted.toCidrStrings()).toEqual(['0.0.0.0/1']);
    expect(completion!.pods.requirements).toEqual([{ key: 'app', operator: 'In', values: ['web'] }]);
  });

  it('finds it the other way round too: q2 reviewed with q1 stored', () => {
    const completion = worldCompletion(q2, [q1, q2], 'ingress', THRESHOLD);
    expect(names(completion!.others)).toEqual(['q1']);
    expect(completion!.admitted.toCidrStrings()).toEqual(['0.0.0.0/1']);
  });

  it('finds nothing for q3 with q4: 128.0.0.0/1 is under half of public IPv4', () => {
    expect(admitsWorld(admittedBy(q3, 'ingress').union(admittedBy(q4, 'ingress')), THRESHOLD)).toBe(false);
    expect(worldCompletion(q3, [q3, q4], 'ingress', THRESHOLD)).toBeUndefined();
    expect(worldCompletion(q4, [q3, q4], 'ingress', THRESHOLD)).toBeUndefined();
  });

  it('follows the threshold: q3 with q4 is the internet at 40%', () => {
    const completion = worldCompletion(q3, [q3, q4], 'ingress', 0.4);
    expect(names(completion!.others)).toEqual(['q4']);
    expect(completion!.admitted.toCidrStrings()).toEqual(['128.0.0.0/1']);
  });

  it('finds each quarter among all four, given at once: each adds its own quarter to what the others admit', () => {
    for (const reviewed of QUARTERS) {
      const completion = worldCompletion(reviewed, QUARTERS, 'ingress', THRESHOLD);
      expect(names(completion?.others ?? []).sort(), reviewed.name).toEqual(names(QUARTERS.filter((q) => q !== reviewed)).sort());
      expect(completion?.admitted.toCidrStrings()).toEqual(['0.0.0.0/0']);
    }
  });

  it('finds nothing for a policy wholly inside what the others already admit', () => {
    const again = ingressFrom('q1-again', WEB, '0.0.0.0/2');
    expect(worldCompletion(again, [again, q1, q2], 'ingress', THRESHOLD)).toBeUndefined();
  });

  it('returns the union of what the reviewed policy and the others admit', () => {
    const completion = worldCompletion(q1, [q1, q3], 'ingress', THRESHOLD);
    expect(names(completion!.others)).toEqual(['q3']);
    expect(completion!.admitted.toCidrStrings()).toEqual(['0.0.0.0/2', '128.0.0.0/2']);
  });
});

describe('worldCompletion: which pods the policies share', () => {
  it('finds nothing when the podSelectors cannot select one pod (app=web, app=api)', () => {
    const api = ingressFrom('api', API, '64.0.0.0/2');
    expect(worldCompletion(q1, [q1, api], 'ingress', THRESHOLD)).toBeUndefined();
    const notWeb = ingressFrom('not-web', { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }, '64.0.0.0/2');
    expect(worldCompletion(q1, [q1, notWeb], 'ingress', THRESHOLD)).toBeUndefined();
    const noApp = ingressFrom('no-app', { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, '64.0.0.0/2');
    expect(worldCompletion(q1, [q1, noApp], 'ingress', THRESHOLD)).toBeUndefined();
  });

  it('names the pods every one of the policies selects', () => {
    const tiered = ingressFrom('tiered', { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, '64.0.0.0/2');
    const completion = worldCompletion(q1, [q1, tiered], 'ingress', THRESHOLD);
    expect(names(completion!.others)).toEqual(['tiered']);
    expect(completion!.pods.requirements).toEqual([
      { key: 'app', operator: 'In', values: ['web'] },
      { key: 'tier', operator: 'Exists', values: [] },
    ]);
  });

  it('takes a policy for every pod as selecting the pods of a narrower one', () => {
    const all = ingressFrom('all', {}, '64.0.0.0/2');
    const completion = worldCompletion(q1, [all, q1], 'ingress', THRESHOLD);
    expect(names(completion!.others)).toEqual(['all']);
    expect(completion!.pods.requirements).toEqual([{ key: 'app', operator: 'In', values: ['web'] }]);
  });

  it('needs the others to select one pod together, not only each with the reviewed policy', () => {
    const everyPod = ingressFrom('every-pod', {}, '0.0.0.0/2');
    const web = ingressFrom('web', WEB, '64.0.0.0/3');
    const api = ingressFrom('api', API, '96.0.0.0/3');
    // 0.0.0.0/2 with 64.0.0.0/3 or with 96.0.0.0/3 is short of half; all three are 0.0.0.0/1.
    expect(admitsWorld(admittedBy(everyPod, 'ingress').union(admittedBy(web, 'ingress')), THRESHOLD)).toBe(false);
    expect(worldCompletion(everyPod, [everyPod, web, api], 'ingress', THRESHOLD)).toBeUndefined();
    const tier = ingressFrom('tier', { matchLabels: { tier: 'front' } }, '96.0.0.0/3');
    const completion = worldCompletion(everyPod, [everyPod, web, tier], 'ingress', THRESHOLD);
    expect(names(completion!.others).sort()).toEqual(['tier', 'web']);
    expect(completion!.admitted.toCidrStrings()).toEqual(['0.0.0.0/1']);
    expect(completion!.pods.requirements).toEqual([
      { key: 'app', operator: 'In', values: ['web'] },
      { key: 'tier', operator: 'In', values: ['front'] },
    ]);
  });
});

describe('worldCompletion: what counts', () => {
  it('finds nothing for a policy that alone admits the internet (reported on its own)', () => {
    const half = ingressFrom('half', WEB, '0.0.0.0/1');
    expect(worldCompletion(half, [half, q3], 'ingress', THRESHOLD)).toBeUndefined();
    const open = read('open', { podSelector: WEB, ingress: [{}] });
    expect(worldCompletion(open, [open, q1], 'ingress', THRESHOLD)).toBeUndefined();
  });

  it('does not count another policy that alone admits the internet', () => {
    const world = ingressFrom('world', WEB, '0.0.0.0/0');
    expect(worldCompletion(q1, [q1, world], 'ingress', THRESHOLD)).toBeUndefined();
    const open = read('open', { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] });
    expect(worldCompletion(q1, [q1, open], 'ingress', THRESHOLD)).toBeUndefined();
  });

  // Every policy that selects the pods counts: through `world` they are open to the internet whatever q1 admits.
  it('finds nothing when another policy for the same pods alone admits the internet', () => {
    const world = ingressFrom('world', WEB, '0.0.0.0/0');
    expect(worldCompletion(q1, [q1, world, q2], 'ingress', THRESHOLD)).toBeUndefined();
  });

  it('finds a policy that widens what others already open to the internet with public addresses of its own', () => {
    // q2 and q3 together already admit the internet; q4 adds its quarter to it.
    expect(names(worldCompletion(q4, [q2, q3, q4], 'ingress', THRESHOLD)?.others ?? []).sort()).toEqual(['q2', 'q3']);
    // A private range adds nothing public: not reported.
    const lan = ingressFrom('lan', WEB, '192.168.0.0/16');
    expect(worldCompletion(lan, [q2, q3, lan], 'ingress', THRESHOLD)).toBeUndefined();
  });

  it('counts only other policies that isolate the same direction', () => {
    const egressOnly = egressTo('egress-only', WEB, '64.0.0.0/2');
    expect(worldCompletion(q1, [q1, egressOnly], 'ingress', THRESHOLD)).toBeUndefined();
    // Egress rules under policyTypes [Ingress] isolate nothing for egress.
    const notIsolating = read('not-isolating', { podSelector: WEB, policyTypes: ['Ingress'], egress: [{ to: [{ ipBlock: { cidr: '64.0.0.0/2' } }] }] });
    const egressQ1 = egressTo('egress-q1', WEB, '0.0.0.0/2');
    expect(worldCompletion(egressQ1, [egressQ1, notIsolating], 'egress', THRESHOLD)).toBeUndefined();
    const completion = worldCompletion(egressQ1, [egressQ1, egressOnly], 'egress', THRESHOLD);
    expect(names(completion!.others)).toEqual(['egress-only']);
    expect(completion!.admitted.toCidrStrings()).toEqual(['0.0.0.0/1']);
  });

  it('finds nothing in a direction the reviewed policy does not isolate', () => {
    expect(worldCompletion(q1, [q1, q2], 'egress', THRESHOLD)).toBeUndefined();
    const egressQ2 = egressTo('egress-q2', WEB, '64.0.0.0/2');
    expect(worldCompletion(q1, [q1, egressQ2], 'egress', THRESHOLD)).toBeUndefined();
  });

  it('finds nothing for a policy with no ipBlock, and counts no policy without one', () => {
    const selectorsOnly = read('selectors', { podSelector: WEB, ingress: [{ from: [{ podSelector: {} }, { namespaceSelector: {} }] }] });
    expect(worldCompletion(selectorsOnly, [selectorsOnly, q1, q2], 'ingress', THRESHOLD)).toBeUndefined();
    const denyAll = read('deny', { podSelector: {} });
    expect(worldCompletion(denyAll, [denyAll, q1, q2], 'ingress', THRESHOLD)).toBeUndefined();
    expect(worldCompletion(q1, [q1, denyAll, selectorsOnly], 'ingress', THRESHOLD)).toBeUndefined();
  });

  it('does not take the stored version of the reviewed policy (same name) as another policy', () => {
    const storedQ1 = ingressFrom('q1', WEB, '64.0.0.0/2');
    expect(worldCompletion(q1, [storedQ1], 'ingress', THRESHOLD)).toBeUndefined();
    expect(worldCompletion(q1, [q1], 'ingress', THRESHOLD)).toBeUndefined();
    expect(worldCompletion(q1, [], 'ingress', THRESHOLD)).toBeUndefined();
  });

  it('counts an other policy’s ipBlock less its excepts', () => {
    const holed = read('holed', { podSelector: WEB, ingress: [{ from: [{ ipBlock: { cidr: '64.0.0.0/2', except: ['64.0.0.0/3'] } }] }] });
    expect(worldCompletion(q1, [q1, holed], 'ingress', THRESHOLD)).toBeUndefined();
  });
});

/*
 * Brute-force models over small generated namespaces: selectors over two keys and two
 * values, so every label set that the selectors can tell apart is among the 16 with each
 * key absent, at one of the values, or at a value none names.
 */
const KEYS = ['k1', 'k2'] as const;
const VALUES = ['a', 'b'] as const;
const CHOICES: readonly (string | undefined)[] = [undefined, ...VALUES, 'fresh'];
const LABEL_SETS: readonly Labels[] = KEYS.reduce<Record<string, string>[]>(
  (sets, key) => sets.flatMap((labels) => CHOICES.map((choice) => (choice === undefined ? { ...labels } : { ...labels, [key]: choice }))),
  [{}],
);

const BLOCKS = ['0.0.0.0/2', '64.0.0.0/2', '128.0.0.0/2', '192.0.0.0/2', '0.0.0.0/3', '32.0.0.0/3', '64.0.0.0/3', '96.0.0.0/3', '128.0.0.0/3', '160.0.0.0/3', '192.0.0.0/3', '224.0.0.0/3'];

const expressionArb = fc.oneof(
  fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom('In', 'NotIn'), values: fc.subarray([...VALUES], { minLength: 1 }) }),
  fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom('Exists', 'DoesNotExist') }),
);
const selectorArb = fc.oneof(
  { arbitrary: fc.constant({}), weight: 2 },
  { arbitrary: fc.record({ matchLabels: fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 2 }) }), weight: 3 },
  { arbitrary: fc.record({ matchExpressions: fc.array(expressionArb, { minLength: 1, maxLength: 2 }) }), weight: 2 },
);
const peerArb = fc.oneof(
  { arbitrary: fc.constantFrom(...BLOCKS).map((cidr) => ({ ipBlock: { cidr } })), weight: 8 },
  { arbitrary: fc.constant({ podSelector: {} }), weight: 1 },
);
// Mostly rules with peers; now and then one without, which admits every address.
const ruleArb = (peersKey: 'from' | 'to') =>
  fc.oneof({ arbitrary: fc.array(peerArb, { minLength: 1, maxLength: 2 }).map((peers) => ({ [peersKey]: peers })), weight: 12 }, { arbitrary: fc.constant({}), weight: 1 });
const specArb = fc.record({
  podSelector: selectorArb,
  policyTypes: fc.oneof({ arbitrary: fc.constant(['Ingress']), weight: 4 }, { arbitrary: fc.constantFrom(['Egress'], ['Ingress', 'Egress'], []), weight: 2 }),
  ingress: fc.array(ruleArb('from'), { maxLength: 2 }),
  egress: fc.array(ruleArb('to'), { maxLength: 2 }),
});
const namespaceArb = fc
  .array(specArb, { minLength: 1, maxLength: 5 })
  .map((specs) => specs.map((spec, index) => read(`p${index}`, spec)));
const caseArb = fc.record({
  policies: namespaceArb,
  direction: fc.constantFrom<Direction>('ingress', 'egress'),
  threshold: fc.constantFrom(0.5, 0.5, 0.4, 0.7),
});

interface Case {
  readonly policies: readonly NetworkPolicyModel[];
  readonly direction: Direction;
  readonly threshold: number;
}

const reviewedOf = (c: Case): NetworkPolicyModel => c.policies[0]!;
const othersOf = (c: Case): NetworkPolicyModel[] => c.policies.slice(1).filter((other) => other.isolates[c.direction]);
const unionOf = (policies: readonly NetworkPolicyModel[], direction: Direction): AddressSet => AddressSet.unionAll(policies.map((policy) => admittedBy(policy, direction)));

/** Whether the reviewed policy alone is short of the internet, isolating the direction: else it is not what completes it. */
function reviewedMayComplete(c: Case): boolean {
  const reviewed = reviewedOf(c);
  return reviewed.isolates[c.direction] && !admitsWorld(admittedBy(reviewed, c.direction), c.threshold);
}

/**
 * The model of the feature: some pod the reviewed policy selects is open to the internet
 * with it and every other policy selecting it, and the reviewed policy adds public
 * addresses those others do not.
 */
function completesForSomePod(c: Case): boolean {
  if (!reviewedMayComplete(c)) return false;
  const reviewed = reviewedOf(c);
  return LABEL_SETS.some((labels) => {
    if (!selectorMatches(reviewed.podSelector, labels)) return false;
    const selecting = othersOf(c).filter((other) => selectorMatches(other.podSelector, labels));
    const others = unionOf(selecting, c.direction);
    const own = admittedBy(reviewed, c.direction);
    const added = publicShareOf(own.subtract(others));
    return (added.ipv4 > 0 || added.ipv6 > 0) && admitsWorld(others.union(own), c.threshold);
  });
}

const completionOf = (c: Case) => worldCompletion(reviewedOf(c), c.policies, c.direction, c.threshold);

describe('worldCompletion against brute-force models', () => {
  it('meets both answers often enough for the models to mean something', () => {
    const sample = fc.sample(caseArb, { numRuns: 1000, seed: 42 });
    const found = sample.filter((c) => completionOf(c) !== undefined).length;
    expect(found).toBeGreaterThan(25);
    expect(sample.length - found).toBeGreaterThan(50);
  });

  it('returns a completion whose others select pods with the reviewed policy, to which it adds public addresses that make the internet', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const completion = completionOf(c);
        if (completion === undefined) return;
        const reviewed = reviewedOf(c);
        const { others } = completion;
        expect(others.length).toBeGreaterThan(0);
        for (const other of others) {
          expect(c.policies.slice(1)).toContain(other);
          expect(other.isolates[c.direction]).toBe(true);
        }
        const othersUnion = unionOf(others, c.direction);
        const added = publicShareOf(admittedBy(reviewed, c.direction).subtract(othersUnion));
        expect(added.ipv4 > 0 || added.ipv6 > 0).toBe(true);
        expect(completion.admitted.equals(othersUnion.union(admittedBy(reviewed, c.direction)))).toBe(true);
        expect(admitsWorld(completion.admitted, c.threshold)).toBe(true);
        for (const labels of LABEL_SETS) {
          const all = [reviewed, ...others].every((policy) => selectorMatches(policy.podSelector, labels));
          expect(selectorMatches(completion.pods, labels)).toBe(all);
        }
        expect(LABEL_SETS.some((labels) => selectorMatches(completion.pods, labels))).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });

  it('finds a completion whenever some pod the policy selects is open to the internet with it, and it adds public addresses there', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        if (completesForSomePod(c)) expect(completionOf(c)).toBeDefined();
      }),
      { numRuns: 1500 },
    );
  });

  // Sound by construction (each report is proven on a concrete pod). The property above
  // shows it complete over these small cases; in general a witness pod with as few labels as
  // possible can miss a pod that only more labels would keep from another policy.
  it('finds a completion only when some pod the policy selects is open to the internet with it, and it adds public addresses there', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        if (completionOf(c) !== undefined) expect(completesForSomePod(c)).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });
});
