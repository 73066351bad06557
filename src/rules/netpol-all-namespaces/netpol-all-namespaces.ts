import { z } from 'zod';
import { NAMESPACE_NAME_LABEL } from '../../core/kubernetes/kinds.js';
import { describeSelector, isEmptySelector, MATCH_EVERYTHING, type LabelSelector } from '../../core/kubernetes/label-selector.js';
import { DIRECTIONS, type Direction, type NetworkPolicyModel, type PolicyPeer } from '../../core/kubernetes/network-policy.js';
import { fitSummary } from '../shared/words.js';
import { defineRule, type Finding } from '../types.js';

const ID = 'netpol-all-namespaces';

/** Labels the API server sets on every namespace, so `Exists` on them matches all. */
const ALWAYS_PRESENT_NAMESPACE_LABELS = [NAMESPACE_NAME_LABEL];

const params = z.object({}).strict();

function matchesEveryNamespace(selector: LabelSelector): boolean {
  return selector.requirements.every(
    (requirement) => requirement.operator === 'Exists' && ALWAYS_PRESENT_NAMESPACE_LABELS.includes(requirement.key),
  );
}

function isClusterWidePeer(peer: PolicyPeer): boolean {
  const { namespaceSelector, podSelector } = peer;
  return namespaceSelector !== undefined && matchesEveryNamespace(namespaceSelector) && (podSelector === undefined || isEmptySelector(podSelector));
}

function peerFindings(policy: NetworkPolicyModel, direction: Direction): Finding[] {
  if (!policy.isolates[direction]) return [];
  const verb = direction === 'ingress' ? 'admits' : 'allows';
  return policy.rules[direction].flatMap((rule) =>
    rule.peers.filter(isClusterWidePeer).map((peer): Finding => {
      const selector = describeSelector(peer.namespaceSelector ?? MATCH_EVERYTHING);
      return {
        path: [...peer.path, 'namespaceSelector'],
        summary: fitSummary(`${direction} rule ${rule.index} ${verb} all pods of all namespaces: ${selector}`),
        fix: 'Name the namespaces with kubernetes.io/metadata.name In [...] and add a podSelector for the client pods.',
        value: selector,
        details: { rule: rule.index },
      };
    }),
  );
}

export const netpolAllNamespaces = defineRule({
  id: ID,
  description:
    'A peer selects every namespace (an empty namespaceSelector, or one every namespace satisfies, such as Exists on kubernetes.io/metadata.name) with no podSelector narrowing it, so every pod in the cluster is admitted.',
  remediation:
    'Name the peer namespaces with `namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: In, values: [...]}]}` and add a podSelector in the same peer for the client pods.',
  defaultAction: 'warn',
  appliesTo: ['NetworkPolicy'],
  params,
  check: (subject) => DIRECTIONS.flatMap((direction) => peerFindings(subject.networkPolicy, direction)),
});
