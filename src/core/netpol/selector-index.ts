/**
 * The NetworkPolicies of a namespace indexed by what their podSelector requires, so that
 * finding the policies that may select a pod (or include a selector) costs the few
 * candidates that share a label with it, not every policy of the namespace: the
 * cross-object work of `check` stays linear in its input. A policy whose selector has an
 * `In` requirement (every matchLabels entry is one) is filed under each of that
 * requirement's `key=value`; the others (the empty selector, expressions only) are always
 * candidates. The index only narrows: callers still apply the full test, and get the
 * policies in their original order. Pure; memoised per policies array.
 */
import type { Labels, LabelSelector } from '../kubernetes/label-selector.js';
import type { NetworkPolicyModel } from '../kubernetes/network-policy.js';

interface SelectorIndex {
  readonly byLabel: ReadonlyMap<string, readonly number[]>;
  readonly always: readonly number[];
}

const INDEXES = new WeakMap<readonly NetworkPolicyModel[], SelectorIndex>();

const labelKey = (key: string, value: string): string => `${key}\u0000${value}`;

function build(policies: readonly NetworkPolicyModel[]): SelectorIndex {
  const byLabel = new Map<string, number[]>();
  const always: number[] = [];
  policies.forEach((policy, index) => {
    const filing = policy.podSelector.requirements.find((requirement) => requirement.operator === 'In');
    if (filing === undefined) {
      always.push(index);
      return;
    }
    for (const value of new Set(filing.values)) {
      const key = labelKey(filing.key, value);
      const list = byLabel.get(key);
      if (list === undefined) byLabel.set(key, [index]);
      else list.push(index);
    }
  });
  return { byLabel, always };
}

function indexOf(policies: readonly NetworkPolicyModel[]): SelectorIndex {
  let index = INDEXES.get(policies);
  if (index === undefined) {
    index = build(policies);
    INDEXES.set(policies, index);
  }
  return index;
}

function inOrder(policies: readonly NetworkPolicyModel[], found: Set<number>): NetworkPolicyModel[] {
  return [...found].sort((a, b) => a - b).flatMap((index) => policies[index] ?? []);
}

/** The policies whose podSelector could match a pod with these labels (a superset of those that do). */
export function policiesThatMaySelect(policies: readonly NetworkPolicyModel[], labels: Labels): NetworkPolicyModel[] {
  const index = indexOf(policies);
  const found = new Set(index.always);
  for (const key in labels) {
    if (!Object.hasOwn(labels, key)) continue;
    for (const candidate of index.byLabel.get(labelKey(key, labels[key] ?? '')) ?? []) found.add(candidate);
  }
  return inOrder(policies, found);
}

/**
 * The policies whose podSelector could include `selector` (select every pod it selects):
 * a policy filed under `k=v` can only include a selector that itself requires `k` in a
 * set of values, one of which is v.
 */
export function policiesThatMayInclude(policies: readonly NetworkPolicyModel[], selector: LabelSelector): NetworkPolicyModel[] {
  // `In ()` (invalid, but readable) is implied by anything filed under its key: no narrowing then.
  if (selector.requirements.some((requirement) => requirement.operator === 'In' && requirement.values.length === 0)) return [...policies];
  const index = indexOf(policies);
  const found = new Set(index.always);
  for (const requirement of selector.requirements) {
    if (requirement.operator !== 'In') continue;
    for (const value of requirement.values) for (const candidate of index.byLabel.get(labelKey(requirement.key, value)) ?? []) found.add(candidate);
  }
  return inOrder(policies, found);
}
