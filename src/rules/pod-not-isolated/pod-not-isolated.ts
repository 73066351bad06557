import { z } from 'zod';
import { selectorMatches } from '../../core/kubernetes/label-selector.js';
import { DIRECTION_FIELDS, type Direction } from '../../core/kubernetes/network-policy.js';
import { defineRule, type Finding } from '../types.js';

const ID = 'pod-not-isolated';

const params = z
  .object({
    directions: z
      .array(z.enum(['ingress', 'egress']))
      .min(1)
      .default(['ingress'])
      .describe('Directions in which every pod must be selected by some NetworkPolicy.'),
  })
  .strict();

type Params = z.infer<typeof params>;

function describeLabels(labels: Readonly<Record<string, string>>): string {
  const entries = Object.entries(labels);
  return entries.length === 0 ? 'no labels' : `labels ${entries.map(([k, v]) => `${k}=${v}`).join(', ')}`;
}

export const podNotIsolated = defineRule<Params>({
  id: ID,
  description:
    'No NetworkPolicy in the pod’s namespace selects the pod (or the pod template) for ingress, so it accepts traffic from anywhere. Judged against the NetworkPolicies in the same input for `check`; skipped where the cluster’s policies are not known.',
  remediation:
    'Add a default-deny NetworkPolicy to the namespace (`podSelector: {}`, `policyTypes: [Ingress]`) and allow rules for the traffic the pod needs, or label the pod so an existing policy selects it.',
  defaultAction: 'warn',
  appliesTo: ['PodTemplate'],
  params,
  check: (subject, { params: p, view }) => {
    const template = subject.podTemplate;
    const policies = view.networkPolicies(subject.namespace);
    if (template === undefined || policies === undefined) return [];
    const unisolated = p.directions.filter(
      (direction: Direction) => !policies.some((policy) => policy.isolates[direction] && selectorMatches(policy.podSelector, template.labels)),
    );
    return unisolated.map(
      (direction): Finding => ({
        path: `${template.metadataPath}.labels`,
        message:
          `no NetworkPolicy in namespace "${subject.namespace}" selects this pod (${describeLabels(template.labels)}) with ${DIRECTION_FIELDS[direction].policyType} ` +
          `in policyTypes, so all ${direction} traffic is allowed; add a default-deny policy (podSelector: {}, policyTypes: [${DIRECTION_FIELDS[direction].policyType}]) to the namespace.`,
      }),
    );
  },
});
