import { z } from 'zod';
import { isEmptySelector } from '../../core/kubernetes/label-selector.js';
import { DIRECTION_FIELDS, DIRECTIONS, type Direction, type NetworkPolicyModel } from '../../core/kubernetes/network-policy.js';
import { fitSummary, quote } from '../shared/words.js';
import { defineRule, type Finding } from '../types.js';

const params = z
  .object({
    directions: z.array(z.enum(DIRECTIONS)).min(1).default(['ingress']).describe('Directions in which every namespace must have a policy that selects all its pods.'),
  })
  .strict();

/** A policy that selects every pod of its namespace and isolates the direction: a default deny, or a namespace-wide allow list. */
function isolatesWholeNamespace(policy: NetworkPolicyModel, direction: Direction): boolean {
  return policy.isolates[direction] && isEmptySelector(policy.podSelector);
}

function missingFinding(namespace: string, direction: Direction, path: Finding['path'], deleted: boolean): Finding {
  const type = DIRECTION_FIELDS[direction].policyType;
  const summary = deleted
    ? `deleting this leaves namespace ${quote(namespace, 63)} with no default deny for ${type}`
    : `namespace ${quote(namespace, 63)} has no default deny for ${type}: unselected pods accept all ${direction}`;
  return {
    path,
    summary: fitSummary(summary),
    fix: `Add a NetworkPolicy with podSelector: {} and policyTypes: [${type}] to namespace ${quote(namespace, 63)}, then allow what its pods need.`,
    value: namespace,
    details: { namespace, direction },
  };
}

export const namespaceNoDefaultDeny = defineRule({
  id: 'namespace-no-default-deny',
  description:
    'A namespace without a NetworkPolicy that selects all its pods (`podSelector: {}`) for ingress: every pod no other policy selects accepts traffic from anywhere, including pods created later. Judged on Namespaces against the cluster’s NetworkPolicies at admission (a new namespace has none yet, so its creation is a reminder) and against those of the same input in `check`; the DELETE of a namespace’s last default deny is warned about.',
  remediation:
    'Add a default deny to the namespace (`podSelector: {}`, `policyTypes: [Ingress]`, no ingress rules), then NetworkPolicies that allow the traffic its pods need.',
  defaultAction: 'warn',
  appliesTo: ['Namespace'],
  params,
  deletion: {
    appliesTo: ['NetworkPolicy'],
    check: (subject, { params: p, view }) => {
      if (subject.judgedAs !== 'NetworkPolicy') return [];
      const deleted = subject.networkPolicy;
      const remaining = view.networkPolicies(deleted.namespace);
      if (remaining === undefined) return [];
      return p.directions
        .filter((direction) => isolatesWholeNamespace(deleted, direction) && !remaining.some((policy) => isolatesWholeNamespace(policy, direction)))
        .map((direction) => missingFinding(deleted.namespace, direction, ['spec', 'podSelector'], true));
    },
  },
  check: (subject, { params: p, view }) => {
    const policies = view.networkPolicies(subject.name);
    if (policies === undefined) return [];
    return p.directions
      .filter((direction) => !policies.some((policy) => isolatesWholeNamespace(policy, direction)))
      .map((direction) => missingFinding(subject.name, direction, ['metadata', 'name'], false));
  },
});
