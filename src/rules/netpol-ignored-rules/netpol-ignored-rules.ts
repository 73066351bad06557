import { z } from 'zod';
import { DIRECTION_FIELDS, DIRECTIONS, type Direction, type NetworkPolicyModel } from '../../core/kubernetes/network-policy.js';
import { defineRule, type Finding } from '../types.js';

const ID = 'netpol-ignored-rules';

const params = z.object({}).strict();

function writtenTypes(policy: NetworkPolicyModel): string {
  const types = DIRECTIONS.filter((direction) => policy.isolates[direction]).map((d) => DIRECTION_FIELDS[d].policyType);
  return `[${types.join(', ')}]`;
}

function ignoredDirectionFinding(policy: NetworkPolicyModel, direction: Direction): Finding[] {
  const count = policy.rules[direction].length;
  if (policy.isolates[direction] || count === 0) return [];
  const type = DIRECTION_FIELDS[direction].policyType;
  return [
    {
      path: `spec.${direction}`,
      message:
        `spec.policyTypes is ${writtenTypes(policy)}, so the ${count} ${direction} rule${count === 1 ? '' : 's'} under spec.${direction} ` +
        `have no effect; add ${type} to spec.policyTypes if they should apply, or delete spec.${direction}.`,
    },
  ];
}

function emptyEgressFinding(policy: NetworkPolicyModel): Finding[] {
  if (!policy.egressWrittenEmpty || policy.policyTypesWritten) return [];
  return [
    {
      path: 'spec.egress',
      message:
        'spec.egress is an empty list but spec.policyTypes is not written, so the API server defaults policyTypes to [Ingress] ' +
        'and egress is not isolated; write `policyTypes: [Ingress, Egress]` to deny all egress.',
    },
  ];
}

export const netpolIgnoredRules = defineRule({
  id: ID,
  description:
    'Rules written for a direction that the effective policyTypes exclude (they have no effect), or `egress: []` without policyTypes, which does not isolate egress as its author likely meant.',
  remediation:
    'Write spec.policyTypes explicitly, listing every direction whose rules should apply (Ingress, Egress), and remove rules for directions the policy does not govern.',
  defaultAction: 'warn',
  appliesTo: ['NetworkPolicy'],
  params,
  check: (subject) => {
    const policy = subject.networkPolicy;
    if (policy === undefined) return [];
    return [...DIRECTIONS.flatMap((direction) => ignoredDirectionFinding(policy, direction)), ...emptyEgressFinding(policy)];
  },
});
