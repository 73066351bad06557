import { z } from 'zod';
import { selectorMatches } from '../../core/kubernetes/label-selector.js';
import { DIRECTION_FIELDS, DIRECTIONS, type Direction, type NetworkPolicyModel } from '../../core/kubernetes/network-policy.js';
import { policiesSelecting } from '../../core/netpol/exposure.js';
import { countOf, fitSummary, formatLabels, quote } from '../shared/words.js';
import { defineRule, type ClusterView, type Finding } from '../types.js';

const params = z
  .object({
    directions: z.array(z.enum(DIRECTIONS)).min(1).default(['ingress']).describe('Directions in which every pod must be selected by some NetworkPolicy.'),
  })
  .strict();

type Params = z.infer<typeof params>;

/** Names of pods shown in a deletion's warning; the count covers the rest. */
const PODS_NAMED = 3;

/**
 * Pods the deleted policy isolated in a direction that no remaining policy isolates:
 * the deletion opens them to all traffic in it. Needs the pods that exist (the webhook's
 * cluster view); `check` never deletes.
 */
function deletionFindings(policy: NetworkPolicyModel, view: ClusterView, p: Params): Finding[] {
  const pods = view.pods(policy.namespace);
  const remaining = view.networkPolicies(policy.namespace);
  if (pods === undefined || remaining === undefined) return [];
  return p.directions.flatMap((direction: Direction): Finding[] => {
    if (!policy.isolates[direction]) return [];
    const opened = pods.filter((pod) => selectorMatches(policy.podSelector, pod.labels) && policiesSelecting(remaining, pod.labels, direction).length === 0);
    if (opened.length === 0) return [];
    const names = opened.slice(0, PODS_NAMED).map((pod) => pod.name);
    const shown = opened.length > PODS_NAMED ? `${names.join(', ')}, …` : names.join(', ');
    const type = DIRECTION_FIELDS[direction].policyType;
    return [
      {
        path: ['spec', 'podSelector'],
        summary: fitSummary(`deleting this policy leaves ${countOf(opened.length, 'pod')} of namespace ${quote(policy.namespace, 63)} open to all ${direction}`, ` (${shown})`),
        fix: `Keep a policy that selects these pods for ${type} (a default deny, podSelector: {}) in namespace ${quote(policy.namespace, 63)} before deleting this one.`,
        value: String(opened.length),
        details: { namespace: policy.namespace, direction, pods: opened.length, podNames: names },
      },
    ];
  });
}

export const podNotIsolated = defineRule({
  id: 'pod-not-isolated',
  description:
    'No NetworkPolicy in the pod’s namespace selects the pod (or the pod template) for ingress, so it accepts traffic from anywhere. Judged against the cluster’s NetworkPolicies at admission (the webhook’s cluster view) and against those of the same input for `check`; skipped while the cluster’s policies are not known. The DELETE of a NetworkPolicy that leaves existing pods without isolation is warned about (never refused).',
  remediation:
    'Add a default-deny NetworkPolicy to the namespace (`podSelector: {}`, `policyTypes: [Ingress]`) and allow rules for the traffic the pod needs, or label the pod so an existing policy selects it.',
  defaultAction: 'warn',
  appliesTo: ['PodTemplate'],
  params,
  deletion: {
    appliesTo: ['NetworkPolicy'],
    check: (subject, { params: p, view }) => (subject.judgedAs === 'NetworkPolicy' ? deletionFindings(subject.networkPolicy, view, p) : []),
  },
  check: (subject, { params: p, view }) => {
    const template = subject.podTemplate;
    const policies = view.networkPolicies(subject.namespace);
    if (policies === undefined) return [];
    const open = p.directions.filter((direction: Direction) => policiesSelecting(policies, template.labels, direction).length === 0);
    return open.map((direction): Finding => {
      const type = DIRECTION_FIELDS[direction].policyType;
      return {
        path: [...template.metadataPath, 'labels'],
        summary: fitSummary(`no NetworkPolicy selects this pod for ${type}: all ${direction} is allowed`, ` (${formatLabels(template.labels)})`),
        fix: `Add a default-deny policy (podSelector: {}, policyTypes: [${type}]) to namespace ${quote(subject.namespace, 63)}.`,
        value: formatLabels(template.labels),
        details: { namespace: subject.namespace, direction },
      };
    });
  },
});
