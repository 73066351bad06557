/**
 * Policies add up per pod: a pod that several NetworkPolicies select for a direction
 * may exchange traffic with the union of what they admit. This finds a set of pods the
 * policy under review selects for which its addresses complete the internet: together
 * with the other policies that select those same pods (existing or not yet created, as
 * their selectors allow) they admit the internet, while those others alone do not.
 * Pure; bounded by a search budget, past which it reports nothing (never a guess).
 */
import { selectorConjunction, selectorsOverlap, type LabelSelector } from '../kubernetes/label-selector.js';
import type { Direction, NetworkPolicyModel } from '../kubernetes/network-policy.js';
import { AddressSet } from '../net/address-set.js';
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

/**
 * The other policies of the namespace that may select some pod with `policy`, isolate the
 * direction, admit some address, and do not admit the internet alone (those are reported
 * on their own), largest first so the search meets a completion early.
 */
function candidatesFor(policy: NetworkPolicyModel, others: readonly NetworkPolicyModel[], direction: Direction, threshold: number): Candidate[] {
  const candidates: Candidate[] = [];
  for (const other of others) {
    if (other === policy || other.name === policy.name || !other.isolates[direction]) continue;
    const admitted = admittedBy(other, direction);
    if (admitted.isEmpty() || admitsWorld(admitted, threshold)) continue;
    if (!selectorsOverlap([policy.podSelector, other.podSelector])) continue;
    candidates.push({ policy: other, admitted });
  }
  const weight = (candidate: Candidate): number => {
    const share = publicShareOf(candidate.admitted);
    return Math.max(share.ipv4, share.ipv6);
  };
  return candidates.sort((a, b) => weight(b) - weight(a));
}

interface Search {
  readonly own: AddressSet;
  readonly candidates: readonly Candidate[];
  /** suffixUnion[i]: everything candidates i.. admit, for pruning. */
  readonly suffixUnion: readonly AddressSet[];
  readonly threshold: number;
  steps: number;
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

/** Include-or-skip over the candidates in order, pruned by what the rest could still add. */
function search(state: Search, index: number, node: SearchNode): Candidate[] | undefined {
  if (++state.steps > COMPLETION_SEARCH_BUDGET) return undefined;
  const withOwn = state.own.union(node.othersUnion);
  if (node.chosen.length > 0 && admitsWorld(withOwn, state.threshold)) return [...node.chosen];
  if (index >= state.candidates.length) return undefined;
  if (!admitsWorld(withOwn.union(state.suffixUnion[index] as AddressSet), state.threshold)) return undefined;
  const next = state.candidates[index] as Candidate;
  const selectors = [...node.selectors, next.policy.podSelector];
  const othersUnion = node.othersUnion.union(next.admitted);
  // The others alone must stay short of the internet: then this policy is what completes it.
  if (!admitsWorld(othersUnion, state.threshold) && selectorsOverlap(selectors)) {
    const found = search(state, index + 1, { chosen: [...node.chosen, next], selectors, othersUnion });
    if (found !== undefined || state.steps > COMPLETION_SEARCH_BUDGET) return found;
  }
  return search(state, index + 1, node);
}

/**
 * Pods `policy` selects for which it completes the internet with others of its
 * namespace, or undefined when there are none (or the search ran out of budget).
 * `policy` alone must not admit the internet: that is reported on its own.
 */
export function worldCompletion(policy: NetworkPolicyModel, namespacePolicies: readonly NetworkPolicyModel[], direction: Direction, threshold: number): WorldCompletion | undefined {
  if (!policy.isolates[direction]) return undefined;
  const own = admittedBy(policy, direction);
  if (own.isEmpty() || admitsWorld(own, threshold)) return undefined;
  const candidates = candidatesFor(policy, namespacePolicies, direction, threshold);
  if (candidates.length === 0) return undefined;
  const state: Search = { own, candidates, suffixUnion: suffixUnions(candidates), threshold, steps: 0 };
  const found = search(state, 0, { chosen: [], selectors: [policy.podSelector], othersUnion: AddressSet.EMPTY });
  if (found === undefined) return undefined;
  const others = found.map((candidate) => candidate.policy);
  return {
    others,
    pods: selectorConjunction([policy.podSelector, ...others.map((other) => other.podSelector)]),
    admitted: AddressSet.unionAll([own, ...found.map((candidate) => candidate.admitted)]),
  };
}
