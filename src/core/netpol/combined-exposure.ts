/**
 * Policies add up per pod: a pod that several NetworkPolicies select for a direction
 * may exchange traffic with the union of what they admit. This finds a set of pods the
 * policy under review selects that, with it, are open to the internet: together with the
 * other policies that select those same pods (existing or not yet created, as their
 * selectors allow) it admits the internet, and it adds public addresses the others do
 * not (a policy wholly inside what the others already admit changes nothing). So the
 * policy that completes the internet is found whatever order the policies came in, and
 * each of four quarters of IPv4 given at once is.
 * The search proposes sets of policies whose selectors can select one pod together; each
 * proposal is then proven on a concrete pod (a label set all of them match, from the
 * fewest labels up through the values the namespace's selectors name): every policy of
 * the namespace that selects that pod counts. So a report is always true of some pod; a
 * completion no witness within the budgets shows goes unreported. Pure; bounded by a
 * search budget and a proof budget, past which it reports nothing (never a guess).
 */
import { labelsSatisfying, selectorConjunction, selectorMatches, selectorsOverlap, type Labels, type LabelSelector } from '../kubernetes/label-selector.js';
import type { Direction, NetworkPolicyModel } from '../kubernetes/network-policy.js';
import { AddressSet } from '../net/address-set.js';
import { sizesMayCoverPublicShare } from '../net/public-space.js';
import { perDirection } from './per-direction.js';
import { storedListOf } from './policy-lists.js';
import { admitsWorld, directionExposure, publicShareOf } from './admitted-addresses.js';

export interface WorldCompletion {
  /** The other policies that, with the one under review, admit the internet to the pods. */
  readonly others: readonly NetworkPolicyModel[];
  /** The pods concerned: those every one of these policies selects. */
  readonly pods: LabelSelector;
  /** What all of them admit together. */
  readonly admitted: AddressSet;
}

/** Steps of the search over sets of policies; a namespace's policies rarely need more than a few. */
export const COMPLETION_SEARCH_BUDGET = 4_096;

interface Candidate {
  readonly policy: NetworkPolicyModel;
  readonly admitted: AddressSet;
}

function admittedBy(policy: NetworkPolicyModel, direction: Direction): AddressSet {
  return directionExposure(policy, direction).admitted;
}

type Sizes = Record<4 | 6, bigint>;

/**
 * What a namespace's policies offer the search in one direction: those that isolate it
 * and admit some address, largest first, with the sum of their sizes. Built once per
 * stored list: the view hands out the same list until the namespace changes, and
 * `check` judges all of a namespace's policies against one list.
 */
interface Pool {
  readonly total: Sizes;
  /** Sorted on first use: most reviews stop at the sizes. */
  candidates(): readonly Candidate[];
  /** The candidates by the one value their selector requires for `key`, and those that require none (in sorted order). */
  byValue(key: string): KeyIndex;
}

interface KeyIndex {
  readonly fixed: ReadonlyMap<string, readonly Candidate[]>;
  readonly unfixed: readonly Candidate[];
}

/** The value a selector requires for `key` when it requires exactly one (`app: web`), else undefined. */
function fixedValue(selector: LabelSelector, key: string): string | undefined {
  for (const requirement of selector.requirements) {
    if (requirement.key === key && requirement.operator === 'In' && requirement.values.length === 1) return requirement.values[0];
  }
  return undefined;
}

function indexBy(candidates: readonly Candidate[], key: string): KeyIndex {
  const fixed = new Map<string, Candidate[]>();
  const unfixed: Candidate[] = [];
  for (const candidate of candidates) {
    const value = fixedValue(candidate.policy.podSelector, key);
    if (value === undefined) unfixed.push(candidate);
    else fixed.set(value, [...(fixed.get(value) ?? []), candidate]);
  }
  return { fixed, unfixed };
}

const admittedSizes = perDirection((policy: NetworkPolicyModel, direction): Sizes => {
  const admitted = admittedBy(policy, direction);
  return { 4: admitted.size(4), 6: admitted.size(6) };
});

function weight(candidate: Candidate): number {
  const share = publicShareOf(candidate.admitted);
  return Math.max(share.ipv4, share.ipv6);
}

function buildPool(policies: readonly NetworkPolicyModel[], direction: Direction): Pool {
  const members: NetworkPolicyModel[] = [];
  const total = { 4: 0n, 6: 0n };
  for (const policy of policies) {
    if (!policy.isolates[direction]) continue;
    const sizes = admittedSizes(policy, direction);
    if (sizes[4] === 0n && sizes[6] === 0n) continue;
    members.push(policy);
    total[4] += sizes[4];
    total[6] += sizes[6];
  }
  let sorted: Candidate[] | undefined;
  const candidates = (): Candidate[] => (sorted ??= members.map((policy) => ({ policy, admitted: admittedBy(policy, direction) })).sort((x, y) => weight(y) - weight(x)));
  const indexes = new Map<string, KeyIndex>();
  const byValue = (key: string): KeyIndex => {
    let index = indexes.get(key);
    if (index === undefined) indexes.set(key, (index = indexBy(candidates(), key)));
    return index;
  };
  return { total, candidates, byValue };
}

const poolOf = perDirection(buildPool);

/**
 * Whether the policy and the whole pool are large enough to reach the share: most
 * namespaces' blocks are small private ranges, and this rules them out without any
 * selector or address-set work.
 */
function sizesMayReach(own: AddressSet, pool: Pool, threshold: number): boolean {
  return sizesMayCoverPublicShare({ 4: own.size(4) + pool.total[4], 6: own.size(6) + pool.total[6] }, threshold);
}

const selectorKeys = new WeakMap<LabelSelector, string>();

/** The selector as text: a namespace's policies mostly share a handful of podSelectors. */
function selectorKey(selector: LabelSelector): string {
  let key = selectorKeys.get(selector);
  if (key === undefined) selectorKeys.set(selector, (key = JSON.stringify(selector.requirements)));
  return key;
}

/**
 * Those of the pool a review must test: where the reviewed selector requires one value
 * for a key (`app: web`), only the candidates requiring that same value or none; a
 * namespace of hundreds of policies for different apps then needs a handful of tests.
 */
function mayOverlap(policy: NetworkPolicyModel, pool: Pool): readonly Candidate[] {
  const first = policy.podSelector.requirements.find((requirement) => requirement.operator === 'In' && requirement.values.length === 1);
  if (first === undefined) return pool.candidates();
  const index = pool.byValue(first.key);
  const same = index.fixed.get(first.values[0] as string) ?? [];
  if (same.length === 0) return index.unfixed;
  if (index.unfixed.length === 0) return same;
  // Back in weight order, so the search meets the largest first.
  const order = new Map(pool.candidates().map((candidate, position) => [candidate, position]));
  return [...same, ...index.unfixed].sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
}

/** The pool's policies, other than the one under review, that may select some pod with it (one overlap test per distinct selector). */
function candidatesFor(policy: NetworkPolicyModel, pool: Pool): Candidate[] {
  const overlaps = new Map<string, boolean>();
  return mayOverlap(policy, pool).filter((candidate) => {
    if (candidate.policy === policy || candidate.policy.name === policy.name) return false;
    const key = selectorKey(candidate.policy.podSelector);
    let overlap = overlaps.get(key);
    if (overlap === undefined) overlaps.set(key, (overlap = selectorsOverlap([policy.podSelector, candidate.policy.podSelector])));
    return overlap;
  });
}

interface Search {
  readonly policy: NetworkPolicyModel;
  readonly direction: Direction;
  /** Every other policy of the namespace that isolates the direction, for the proof on a witness. */
  readonly isolating: readonly NetworkPolicyModel[];
  /** Built when a proposal's fewest-labels witness fails: most proposals need no other. */
  readonly keyStates: () => ReadonlyMap<string, readonly (string | null)[]>;
  readonly own: AddressSet;
  readonly candidates: readonly Candidate[];
  /** suffixUnion[i]: everything candidates i.. admit, for pruning. */
  readonly suffixUnion: readonly AddressSet[];
  readonly threshold: number;
  steps: number;
  proofs: number;
  /** Set by a proposal proven on its witness pod. */
  proven?: WorldCompletion;
}

function suffixUnions(candidates: readonly Candidate[]): AddressSet[] {
  const unions: AddressSet[] = new Array<AddressSet>(candidates.length + 1);
  unions[candidates.length] = AddressSet.EMPTY;
  for (let index = candidates.length - 1; index >= 0; index--) {
    unions[index] = (candidates[index] as Candidate).admitted.union(unions[index + 1] as AddressSet);
  }
  return unions;
}

/** A node of the search: the candidates chosen so far, the pods they all select, what they admit. */
interface SearchNode {
  readonly chosen: readonly Candidate[];
  readonly selectors: readonly LabelSelector[];
  readonly othersUnion: AddressSet;
}

/** Label sets tried as witnesses of one proposal; past this the proposal goes unproven. */
export const WITNESS_LIMIT = 256;

/**
 * Proofs on a witness in one search, each a pass over the namespace's policies: with the
 * step budget, this keeps a review in a namespace of hundreds of policies within
 * milliseconds whatever the selectors.
 */
export const PROOF_BUDGET = 1_024;

function lazily<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

/** A value no policy names: a key present with it satisfies Exists and every NotIn. */
const FRESH_VALUE = 'kube-guardrails-any';

/**
 * Per key any policy of the search names, the states that key can take that tell the
 * policies apart: absent, each value they name, and one value none names.
 */
function keyStates(policies: readonly NetworkPolicyModel[]): Map<string, (string | null)[]> {
  const values = new Map<string, Set<string>>();
  for (const policy of policies) {
    for (const requirement of policy.podSelector.requirements) {
      const known = values.get(requirement.key) ?? new Set<string>();
      for (const value of requirement.values) known.add(value);
      values.set(requirement.key, known);
    }
  }
  return new Map([...values].map(([key, named]) => [key, [null, ...named, FRESH_VALUE]]));
}

/**
 * Pods (label sets) every one of `selectors` selects: the one with the fewest labels
 * first, then the combinations of key states, up to WITNESS_LIMIT.
 */
function* witnesses(statesOf: () => ReadonlyMap<string, readonly (string | null)[]>, selectors: readonly LabelSelector[]): Generator<Labels> {
  const minimal = labelsSatisfying(selectors);
  if (minimal === undefined) return;
  yield minimal;
  const states = statesOf();
  const conjunction = selectorConjunction(selectors);
  const keys = [...states.keys()];
  const allowed = keys.map((key) => {
    const own = { requirements: conjunction.requirements.filter((requirement) => requirement.key === key) };
    return (states.get(key) ?? []).filter((state) => selectorMatches(own, state === null ? {} : { [key]: state }));
  });
  let tried = 1;
  const chosen = new Map<string, string>();
  function* assign(index: number): Generator<Labels> {
    if (tried >= WITNESS_LIMIT) return;
    if (index === keys.length) {
      tried++;
      yield Object.fromEntries(chosen);
      return;
    }
    const key = keys[index] as string;
    for (const state of allowed[index] ?? []) {
      if (state === null) chosen.delete(key);
      else chosen.set(key, state);
      yield* assign(index + 1);
    }
    chosen.delete(key);
  }
  yield* assign(0);
}

/** Whether the set holds some public address. */
function holdsPublic(set: AddressSet): boolean {
  if (set.isEmpty()) return false;
  const share = publicShareOf(set);
  return share.ipv4 > 0 || share.ipv6 > 0;
}

/**
 * The proposal proven on one pod: every other policy that selects `labels` counts;
 * together with the reviewed one they must admit the internet, and the reviewed one must
 * add public addresses they do not.
 */
function provenAt(state: Search, labels: Labels): WorldCompletion | undefined {
  const others = state.isolating.filter((other) => selectorMatches(other.podSelector, labels));
  const othersUnion = AddressSet.unionAll(others.map((other) => admittedBy(other, state.direction)));
  if (!holdsPublic(state.own.subtract(othersUnion))) return undefined;
  const admitted = state.own.union(othersUnion);
  if (!admitsWorld(admitted, state.threshold)) return undefined;
  const contributing = others.filter((other) => !admittedBy(other, state.direction).isEmpty());
  return { others: contributing, pods: selectorConjunction([state.policy.podSelector, ...contributing.map((other) => other.podSelector)]), admitted };
}

/** The proposal reaches the internet and holds on its witness pod (recorded in `state.proven`). */
function isProvenGoal(state: Search, node: SearchNode, withOwn: AddressSet): boolean {
  if (node.chosen.length === 0 || !admitsWorld(withOwn, state.threshold)) return false;
  for (const witness of witnesses(state.keyStates, node.selectors)) {
    if (++state.proofs > PROOF_BUDGET) return false;
    state.proven = provenAt(state, witness);
    if (state.proven !== undefined) return true;
  }
  return false;
}

/** Include-or-skip over the candidates in order, pruned by what the rest could still add. */
function search(state: Search, index: number, node: SearchNode): Candidate[] | undefined {
  if (++state.steps > COMPLETION_SEARCH_BUDGET || state.proofs > PROOF_BUDGET) return undefined;
  const withOwn = state.own.union(node.othersUnion);
  if (isProvenGoal(state, node, withOwn)) return [...node.chosen];
  if (index >= state.candidates.length) return undefined;
  if (!admitsWorld(withOwn.union(state.suffixUnion[index] as AddressSet), state.threshold)) return undefined;
  const next = state.candidates[index] as Candidate;
  const selectors = [...node.selectors, next.policy.podSelector];
  const othersUnion = node.othersUnion.union(next.admitted);
  if (selectorsOverlap(selectors)) {
    const found = search(state, index + 1, { chosen: [...node.chosen, next], selectors, othersUnion });
    if (found !== undefined || state.steps > COMPLETION_SEARCH_BUDGET || state.proofs > PROOF_BUDGET) return found;
  }
  return search(state, index + 1, node);
}

/**
 * Pods `policy` selects that it opens to the internet with others of its namespace, or
 * undefined when there are none (or the search ran out of budget). `policy` alone must
 * not admit the internet: that is reported on its own.
 */
export function worldCompletion(policy: NetworkPolicyModel, namespacePolicies: readonly NetworkPolicyModel[], direction: Direction, threshold: number): WorldCompletion | undefined {
  if (!policy.isolates[direction]) return undefined;
  const own = admittedBy(policy, direction);
  if (own.isEmpty() || admitsWorld(own, threshold)) return undefined;
  // The stored policies' pool serves every review of the namespace: the reviewed policy (and its stored version, by name) is left out of it below.
  const pool = poolOf(storedListOf(namespacePolicies), direction);
  if (!sizesMayReach(own, pool, threshold)) return undefined;
  const candidates = candidatesFor(policy, pool);
  if (candidates.length === 0) return undefined;
  const isolating = namespacePolicies.filter((other) => other !== policy && other.name !== policy.name && other.isolates[direction]);
  const state: Search = { policy, direction, isolating, keyStates: lazily(() => keyStates([policy, ...isolating])), own, candidates, suffixUnion: suffixUnions(candidates), threshold, steps: 0, proofs: 0 };
  const found = search(state, 0, { chosen: [], selectors: [policy.podSelector], othersUnion: AddressSet.EMPTY });
  return found === undefined ? undefined : state.proven;
}
