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
      path: ['spec', direction],
      summary: `${count} ${direction} rule${count === 1 ? ' has' : 's have'} no effect: spec.policyTypes is ${writtenTypes(policy)}`,
      fix: `Add ${type} to spec.policyTypes if the rules should apply, or delete spec.${direction}.`,
      value: writtenTypes(policy),
      details: { rules: count },
    },
  ];
}

function emptyEgressFinding(policy: NetworkPolicyModel): Finding[] {
  if (!policy.egressWrittenEmpty || policy.policyTypesWritten) return [];
  return [
    {
      path: ['spec', 'egress'],
      summary: '`egress: []` without policyTypes does not isolate egress: policyTypes defaults to [Ingress]',
      fix: 'Write `policyTypes: [Ingress, Egress]` to deny all egress.',
      value: '[]',
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
    return [...DIRECTIONS.flatMap((direction) => ignoredDirectionFinding(policy, direction)), ...emptyEgressFinding(policy)];
  },
});
