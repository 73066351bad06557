import { z } from 'zod';
import { DIRECTIONS, type Direction, type NetworkPolicyModel } from '../../core/kubernetes/network-policy.js';
import { fieldPath } from '../../core/kubernetes/shape.js';
import { FAMILY_BITS, type IpFamily } from '../../core/net/ip-address.js';
import { publicAddressCount } from '../../core/net/public-space.js';
import { admitsWorld, describeBlock, directionExposure, exposureBound, type IpBlockContribution } from '../shared/admitted-addresses.js';
import { defineRule, type Finding } from '../types.js';

const ID = 'netpol-broad-cidr';

/** A direction at or past this share is the world, reported by netpol-world-*, not here. */
const WORLD_SHARE = 0.5;

const params = z
  .object({
    ipv4Prefix: z.number().int().min(0).max(32).default(8).describe('Report an ipBlock admitting more public IPv4 addresses than a block of this prefix.'),
    ipv6Prefix: z.number().int().min(0).max(128).default(32).describe('Report an ipBlock admitting more public IPv6 addresses than a block of this prefix.'),
  })
  .strict();

type Params = z.infer<typeof params>;

const FAMILIES = [4, 6] as const;

function widestFamily(block: IpBlockContribution, limits: Readonly<Record<IpFamily, number>>): IpFamily | undefined {
  return FAMILIES.find((family) => {
    const allowed = 1n << BigInt(FAMILY_BITS[family] - limits[family]);
    // Most blocks are small: no need to intersect with the public space to know.
    return block.admitted.size(family) > allowed && publicAddressCount(block.admitted, family) > allowed;
  });
}

function broadFindings(policy: NetworkPolicyModel, direction: Direction, limits: Readonly<Record<IpFamily, number>>): Finding[] {
  if (!policy.isolates[direction]) return [];
  // Blocks no larger than the limits cannot be too broad, whatever their excepts.
  const bound = exposureBound(policy, direction);
  const allowed = (family: IpFamily): bigint => 1n << BigInt(FAMILY_BITS[family] - limits[family]);
  if (!bound.everything && bound.largest[4] <= allowed(4) && bound.largest[6] <= allowed(6)) return [];
  const exposure = directionExposure(policy, direction);
  if (admitsWorld(exposure.admitted, WORLD_SHARE)) return [];
  return exposure.blocks.flatMap((block) => {
    const family = widestFamily(block, limits);
    if (family === undefined) return [];
    const count = publicAddressCount(block.admitted, family);
    return [
      {
        path: fieldPath(fieldPath(block.peer.path, 'ipBlock'), 'cidr'),
        message:
          `${direction} rule ${block.rule.index} admits ipBlock ${describeBlock(block)}: ${count.toLocaleString('en-US')} public IPv${family} addresses, ` +
          `wider than a /${limits[family]}; narrow it to the ranges you need, or request an exemption for ${ID}.`,
      },
    ];
  });
}

export const netpolBroadCidr = defineRule<Params>({
  id: ID,
  description:
    'An ipBlock admits a public address range wider than the configured prefix (default /8 for IPv4, /32 for IPv6), in a direction that is not already reported as the whole internet.',
  remediation:
    'Replace the wide block with the specific ranges the workload talks to (a provider’s published ranges, a partner’s /24), or route the traffic through a proxy or gateway with a known address.',
  defaultAction: 'warn',
  appliesTo: ['NetworkPolicy'],
  params,
  check: (subject, { params: p }) => {
    const policy = subject.networkPolicy;
    if (policy === undefined) return [];
    const limits = { 4: p.ipv4Prefix, 6: p.ipv6Prefix };
    return DIRECTIONS.flatMap((direction) => broadFindings(policy, direction, limits));
  },
});
