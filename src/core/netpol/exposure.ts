/**
 * NetworkPolicy semantics per set of pods. Policies add up: a pod is isolated in a
 * direction when any policy of its namespace selects it with that direction in its
 * (defaulted) policyTypes, and then it may exchange traffic with the union of what those
 * policies' rules admit. A pod no policy selects for a direction is open in it.
 */
import { selectorMatches, type Labels } from '../kubernetes/label-selector.js';
import type { Direction, NetworkPolicyModel, PolicyPort, PolicyRule } from '../kubernetes/network-policy.js';
import { AddressSet } from '../net/address-set.js';
import { directionExposure } from './admitted-addresses.js';
import { policiesThatMaySelect } from './selector-index.js';

/** A rule of a selecting policy: what it lets through, and where it is written. */
export interface Grant {
  readonly policy: NetworkPolicyModel;
  readonly rule: PolicyRule;
  /** External addresses the rule admits (every address for a rule without peers). */
  readonly addresses: AddressSet;
  /** Empty means every port of every protocol. */
  readonly ports: readonly PolicyPort[];
}

export interface PodSetExposure {
  readonly direction: Direction;
  /** Some policy selects these pods for this direction; when false, all traffic passes. */
  readonly isolated: boolean;
  /** The policies that select these pods and isolate this direction. */
  readonly policies: readonly NetworkPolicyModel[];
  readonly grants: readonly Grant[];
  /** External addresses admitted on some port: every address when not isolated. */
  readonly admitted: AddressSet;
}

/** Policies of the namespace that select pods with these labels and isolate the direction. */
export function policiesSelecting(policies: readonly NetworkPolicyModel[], labels: Labels, direction: Direction): NetworkPolicyModel[] {
  return policiesThatMaySelect(policies, labels).filter((policy) => policy.isolates[direction] && selectorMatches(policy.podSelector, labels));
}

function grantsOf(policy: NetworkPolicyModel, direction: Direction): Grant[] {
  return policy.rules[direction].map((rule) => {
    const single: NetworkPolicyModel = { ...policy, rules: { ingress: [], egress: [], [direction]: [rule] } };
    return { policy, rule, addresses: directionExposure(single, direction).admitted, ports: rule.ports };
  });
}

/**
 * What pods with `labels` in the namespace holding `policies` may exchange with outside
 * addresses in one direction, given every policy that selects them.
 */
export function podSetExposure(policies: readonly NetworkPolicyModel[], labels: Labels, direction: Direction): PodSetExposure {
  const selecting = policiesSelecting(policies, labels, direction);
  if (selecting.length === 0) return { direction, isolated: false, policies: [], grants: [], admitted: AddressSet.everything() };
  const admitted = AddressSet.unionAll(selecting.map((policy) => directionExposure(policy, direction).admitted));
  return { direction, isolated: true, policies: selecting, grants: selecting.flatMap((policy) => grantsOf(policy, direction)), admitted };
}

/** Whether a port entry lets `port` of `protocol` through (named ports resolve per container, so they are not matched here). */
export function portAdmits(entry: PolicyPort, protocol: string, port: number): boolean {
  if (entry.protocol !== protocol) return false;
  if (entry.port === undefined) return true;
  if (typeof entry.port === 'string') return false;
  return entry.endPort === undefined ? entry.port === port : entry.port <= port && port <= entry.endPort;
}

/** Whether a rule's ports let `port` of `protocol` through: no ports at all means every port. */
export function rulePortsAdmit(ports: readonly PolicyPort[], protocol: string, port: number): boolean {
  return ports.length === 0 || ports.some((entry) => portAdmits(entry, protocol, port));
}
