import { z } from 'zod';
import { NAMESPACE_NAME_LABEL } from '../../core/kubernetes/kinds.js';
import { describeSelector, isEmptySelector, MATCH_EVERYTHING, selectorMatches, type LabelSelector } from '../../core/kubernetes/label-selector.js';
import { DIRECTIONS, type Direction, type NetworkPolicyModel, type PolicyPeer } from '../../core/kubernetes/network-policy.js';
import { fitSummary } from '../shared/words.js';
import { defineRule, type Finding, type LabelledEntry } from '../types.js';

const ID = 'netpol-all-namespaces';

/** Labels the API server sets on every namespace, so `Exists` on them matches all. */
const ALWAYS_PRESENT_NAMESPACE_LABELS = [NAMESPACE_NAME_LABEL];

const params = z.object({}).strict();

function matchesEveryNamespace(selector: LabelSelector): boolean {
  return selector.requirements.every(
    (requirement) => requirement.operator === 'Exists' && ALWAYS_PRESENT_NAMESPACE_LABELS.includes(requirement.key),
  );
}

/** Whether the selector matches every namespace whatever labels they carry, or every one that exists now. */
function selectsEveryNamespace(selector: LabelSelector, existing: readonly LabelledEntry[] | undefined): 'always' | 'existing' | undefined {
  if (matchesEveryNamespace(selector)) return 'always';
  if (existing !== undefined && existing.length > 0 && existing.every((namespace) => selectorMatches(selector, namespace.labels))) return 'existing';
  return undefined;
}

/** How far a peer reaches when it is every pod of every namespace (or of every one that exists), else undefined. */
function clusterWideReach(peer: PolicyPeer, existing: readonly LabelledEntry[] | undefined): 'always' | 'existing' | undefined {
  const { namespaceSelector, podSelector } = peer;
  if (namespaceSelector === undefined || (podSelector !== undefined && !isEmptySelector(podSelector))) return undefined;
  return selectsEveryNamespace(namespaceSelector, existing);
}

function peerFinding(at: { direction: Direction; ruleIndex: number }, peer: PolicyPeer, reach: 'always' | 'existing', existing: number): Finding {
  const { direction, ruleIndex } = at;
  const verb = direction === 'ingress' ? 'admits' : 'allows';
  const selector = describeSelector(peer.namespaceSelector ?? MATCH_EVERYTHING);
  const scope = reach === 'always' ? 'all namespaces' : `all ${existing} namespaces that exist`;
  return {
    path: [...peer.path, 'namespaceSelector'],
    summary: fitSummary(`${direction} rule ${ruleIndex} ${verb} all pods of ${scope}: ${selector}`),
    fix: 'Name the namespaces with kubernetes.io/metadata.name In [...] and add a podSelector for the client pods.',
    value: selector,
    details: { rule: ruleIndex, ...(reach === 'existing' ? { namespaces: existing } : {}) },
  };
}

function peerFindings(policy: NetworkPolicyModel, direction: Direction, existing: readonly LabelledEntry[] | undefined): Finding[] {
  if (!policy.isolates[direction]) return [];
  return policy.rules[direction].flatMap((rule) =>
    rule.peers.flatMap((peer): Finding[] => {
      const reach = clusterWideReach(peer, existing);
      return reach === undefined ? [] : [peerFinding({ direction, ruleIndex: rule.index }, peer, reach, existing?.length ?? 0)];
    }),
  );
}

export const netpolAllNamespaces = defineRule({
  id: ID,
  description:
    'A peer selects every namespace (an empty namespaceSelector, one every namespace satisfies, such as Exists on kubernetes.io/metadata.name, or one that matches every namespace that exists: the cluster’s at admission, the input’s Namespaces and the built-in ones for `check`) with no podSelector narrowing it, so every pod in the cluster is admitted.',
  remediation:
    'Name the peer namespaces with `namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: In, values: [...]}]}` and add a podSelector in the same peer for the client pods.',
  defaultAction: 'warn',
  appliesTo: ['NetworkPolicy'],
  params,
  check: (subject, { view }) => {
    const existing = view.namespaces();
    return DIRECTIONS.flatMap((direction) => peerFindings(subject.networkPolicy, direction, existing));
  },
});
