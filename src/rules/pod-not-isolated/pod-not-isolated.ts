import { z } from 'zod';
import { DIRECTION_FIELDS, DIRECTIONS, type Direction } from '../../core/kubernetes/network-policy.js';
import { policiesSelecting } from '../../core/netpol/exposure.js';
import { fitSummary, formatLabels, quote } from '../shared/words.js';
import { defineRule, type Finding } from '../types.js';

const params = z
  .object({
    directions: z.array(z.enum(DIRECTIONS)).min(1).default(['ingress']).describe('Directions in which every pod must be selected by some NetworkPolicy.'),
  })
  .strict();

export const podNotIsolated = defineRule({
  id: 'pod-not-isolated',
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
