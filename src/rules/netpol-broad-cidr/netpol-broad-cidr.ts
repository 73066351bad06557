import { z } from 'zod';
import { DIRECTIONS, type Direction, type NetworkPolicyModel } from '../../core/kubernetes/network-policy.js';
import { FAMILY_BITS, type IpFamily } from '../../core/net/ip-address.js';
import { publicAddressCount } from '../../core/net/public-space.js';
import { admitsWorld, directionExposure, exposureBound, type IpBlockContribution } from '../../core/netpol/admitted-addresses.js';
import { blockEquivalent, blockPhrase } from '../shared/world-rule.js';
import { fitSummary, formatCount } from '../shared/words.js';
import { defineRule, type Finding, type InternetShares } from '../types.js';

const params = z
  .object({
    ipv4Prefix: z.number().int().min(0).max(32).default(8).describe('Report an ipBlock admitting more public IPv4 addresses than a block of this prefix.'),
    ipv6Prefix: z.number().int().min(0).max(128).default(32).describe('Report an ipBlock admitting more public IPv6 addresses than a block of this prefix.'),
  })
  .strict();

type Params = z.infer<typeof params>;
type Limits = Readonly<Record<IpFamily, number>>;

const FAMILIES = [4, 6] as const;

const allowedSize = (limits: Limits, family: IpFamily): bigint => 1n << BigInt(FAMILY_BITS[family] - limits[family]);

function widestFamily(block: IpBlockContribution, limits: Limits): IpFamily | undefined {
  return FAMILIES.find((family) => {
    const allowed = allowedSize(limits, family);
    // Most blocks are small: no need to intersect with the public space to know.
    return block.admitted.size(family) > allowed && publicAddressCount(block.admitted, family) > allowed;
  });
}

function broadFinding(direction: Direction, block: IpBlockContribution, family: IpFamily, limits: Limits): Finding {
  const count = publicAddressCount(block.admitted, family);
  const equivalent = blockEquivalent(block);
  return {
    path: [...block.peer.path, 'ipBlock', 'cidr'],
    summary: fitSummary(`${direction} rule ${block.rule.index} admits ${blockPhrase(block)}`, `: ${formatCount(count)} public IPv${family} addresses, wider than a /${limits[family]}`),
    fix: 'Replace the block with the specific ranges the pods talk to, or route the traffic through a proxy or gateway.',
    value: block.cidrText,
    ...(equivalent === undefined ? {} : { equivalent }),
    details: { rule: block.rule.index, family, publicAddresses: count.toString(), limitPrefix: limits[family] },
  };
}

/** A direction the world rule reports (at its share) is not reported again here. */
function reportedAsWorld(policy: NetworkPolicyModel, direction: Direction, internet: InternetShares): boolean {
  const share = internet[direction];
  return share !== undefined && admitsWorld(directionExposure(policy, direction).admitted, share);
}

function broadFindings(policy: NetworkPolicyModel, direction: Direction, limits: Limits, internet: InternetShares): Finding[] {
  if (!policy.isolates[direction]) return [];
  // Blocks no larger than the limits cannot be too broad, whatever their excepts.
  const bound = exposureBound(policy, direction);
  if (!bound.everything && bound.largest[4] <= allowedSize(limits, 4) && bound.largest[6] <= allowedSize(limits, 6)) return [];
  if (reportedAsWorld(policy, direction, internet)) return [];
  return directionExposure(policy, direction).blocks.flatMap((block) => {
    const family = widestFamily(block, limits);
    return family === undefined ? [] : [broadFinding(direction, block, family, limits)];
  });
}

export const netpolBroadCidr = defineRule<Params, 'NetworkPolicy'>({
  id: 'netpol-broad-cidr',
  description:
    'An ipBlock admits a public address range wider than the configured prefix (default /8 for IPv4, /32 for IPv6), in a direction that the world rule of that direction does not already report as the internet (at the same `internet.minPublicShare`).',
  remediation:
    'Replace the wide block with the specific ranges the workload talks to (a provider’s published ranges, a partner’s /24), or route the traffic through a proxy or gateway with a known address.',
  defaultAction: 'warn',
  appliesTo: ['NetworkPolicy'],
  params,
  check: (subject, { params: p, internet }) => {
    const limits = { 4: p.ipv4Prefix, 6: p.ipv6Prefix };
    return DIRECTIONS.flatMap((direction) => broadFindings(subject.networkPolicy, direction, limits, internet));
  },
});
