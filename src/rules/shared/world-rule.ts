/**
 * netpol-world-ingress and netpol-world-egress: one direction of a policy admits the
 * internet, meaning at least `minPublicShare` of public IPv4 or of IPv6 global unicast.
 */
import { z } from 'zod';
import type { Direction, NetworkPolicyModel } from '../../core/kubernetes/network-policy.js';
import { fieldPath } from '../../core/kubernetes/shape.js';
import { defineRule, type Finding, type Rule } from '../types.js';
import {
  describeBlock,
  admitsWorld,
  boundMayAdmitWorld,
  directionExposure,
  exposureBound,
  formatShare,
  peersWord,
  publicShareOf,
  type DirectionExposure,
  type IpBlockContribution,
} from './admitted-addresses.js';

export const worldParams = z
  .object({
    minPublicShare: z.number().gt(0).lte(1).default(0.5).describe('Share of the public IPv4 or IPv6 space that counts as the internet.'),
  })
  .strict();

export type WorldParams = z.infer<typeof worldParams>;

const WORDS: Readonly<Record<Direction, { noun: string; verb: string }>> = {
  ingress: { noun: 'sources', verb: 'lets the whole internet in' },
  egress: { noun: 'destinations', verb: 'lets the pods reach the whole internet' },
};

function openRuleFinding(direction: Direction, ruleId: string, path: string, index: number): Finding {
  const peers = peersWord(direction);
  return {
    path,
    message:
      `${direction} rule ${index} has no \`${peers}\`, so it admits every ${WORDS[direction].noun.slice(0, -1)} and ${WORDS[direction].verb}; ` +
      `list the ${WORDS[direction].noun} you need under ${path}.${peers}, or request an exemption for ${ruleId}.`,
  };
}

function blockFinding(direction: Direction, ruleId: string, block: IpBlockContribution): Finding {
  const share = formatShare(publicShareOf(block.admitted));
  return {
    path: fieldPath(fieldPath(block.peer.path, 'ipBlock'), 'cidr'),
    message:
      `${direction} rule ${block.rule.index} admits ipBlock ${describeBlock(block)}, ${share}, which ${WORDS[direction].verb}; ` +
      `narrow the cidr to the ranges you need, or request an exemption for ${ruleId}.`,
  };
}

function combinedFinding(direction: Direction, ruleId: string, exposure: DirectionExposure, share: string): Finding {
  const parts = exposure.blocks.filter((block) => !block.admitted.isEmpty());
  const listed = parts.slice(0, 4).map((block) => `rule ${block.rule.index}: ${describeBlock(block)}`);
  const more = parts.length > 4 ? ` and ${parts.length - 4} more` : '';
  return {
    path: fieldPath('spec', direction),
    message:
      `${direction} rules together admit ${share} through ipBlocks (${listed.join('; ')}${more}), which ${WORDS[direction].verb}; ` +
      `narrow the cidrs, or request an exemption for ${ruleId}.`,
  };
}

export function worldFindings(policy: NetworkPolicyModel, direction: Direction, ruleId: string, params: WorldParams): Finding[] {
  if (!policy.isolates[direction] || !boundMayAdmitWorld(exposureBound(policy, direction), params.minPublicShare)) return [];
  const exposure = directionExposure(policy, direction);
  if (!admitsWorld(exposure.admitted, params.minPublicShare)) return [];
  const findings = exposure.openRules.map((rule) => openRuleFinding(direction, ruleId, rule.path, rule.index));
  for (const block of exposure.blocks) {
    if (admitsWorld(block.admitted, params.minPublicShare)) findings.push(blockFinding(direction, ruleId, block));
  }
  if (findings.length === 0) findings.push(combinedFinding(direction, ruleId, exposure, formatShare(publicShareOf(exposure.admitted))));
  return findings;
}

const WORLD_REMEDIATION: Readonly<Record<Direction, string>> = {
  ingress:
    'Admit only the sources that need access: pods by podSelector, namespaces by namespaceSelector on kubernetes.io/metadata.name, or the narrow ipBlock ranges of known clients (a load balancer or partner range); put internet-facing traffic behind an Ingress or Gateway instead.',
  egress:
    'Allow egress only to the destinations the pods need: in-cluster services by selector, and narrow ipBlock ranges (or an egress proxy) for external endpoints.',
};

export interface WorldRuleSpec {
  readonly id: string;
  readonly direction: Direction;
  readonly description: string;
  readonly defaultAction: Rule['defaultAction'];
}

export function worldRule(spec: WorldRuleSpec): Rule {
  return defineRule<WorldParams>({
    id: spec.id,
    description: spec.description,
    remediation: WORLD_REMEDIATION[spec.direction],
    defaultAction: spec.defaultAction,
    appliesTo: ['NetworkPolicy'],
    params: worldParams,
    check: (subject, { params }) =>
      subject.networkPolicy === undefined ? [] : worldFindings(subject.networkPolicy, spec.direction, spec.id, params),
  });
}
