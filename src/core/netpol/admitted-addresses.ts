/**
 * What external addresses one direction of a NetworkPolicy admits: the union, over all
 * rules of that direction, of each ipBlock's cidr minus its excepts. A rule with no
 * peers admits every address. Selectors name pods, never external addresses.
 */
import type { Direction, NetworkPolicyModel, PolicyPeer, PolicyRule } from '../kubernetes/network-policy.js';
import { AddressSet } from '../net/address-set.js';
import { perDirection } from './per-direction.js';
import { cidrSize, parseCidr, type Cidr } from '../net/cidr.js';
import type { IpFamily } from '../net/ip-address.js';
import { mayCoverPublicShare, publicFraction, sizesMayCoverPublicShare } from '../net/public-space.js';

export interface IpBlockContribution {
  readonly rule: PolicyRule;
  readonly peer: PolicyPeer;
  readonly cidrText: string;
  /** Undefined when the cidr cannot be parsed; the block is then taken as every address. */
  readonly cidr: Cidr | undefined;
  readonly unparseableExcepts: readonly string[];
  readonly admitted: AddressSet;
}

export interface DirectionExposure {
  readonly openRules: readonly PolicyRule[];
  readonly blocks: readonly IpBlockContribution[];
  readonly admitted: AddressSet;
}

export interface PublicShare {
  readonly ipv4: number;
  readonly ipv6: number;
}

function exceptsOf(texts: readonly string[]): { excepted: AddressSet; unparseable: string[] } {
  const unparseable: string[] = [];
  const cidrs: Cidr[] = [];
  for (const text of texts) {
    const parsed = parseCidr(text);
    if (parsed.ok) cidrs.push(parsed.cidr);
    else unparseable.push(text);
  }
  return { excepted: AddressSet.fromCidrs(cidrs), unparseable };
}

function contributionOf(rule: PolicyRule, peer: PolicyPeer, ipBlock: NonNullable<PolicyPeer['ipBlock']>): IpBlockContribution {
  const { cidr: cidrText, parsedCidr: parsed, except: exceptTexts } = ipBlock;
  const { excepted, unparseable } = exceptsOf(exceptTexts);
  // Fail closed: what cannot be parsed is taken at its widest, and an unparseable except subtracts nothing.
  const block = parsed.ok ? AddressSet.fromCidr(parsed.cidr) : AddressSet.everything();
  return {
    rule,
    peer,
    cidrText,
    cidr: parsed.ok ? parsed.cidr : undefined,
    unparseableExcepts: unparseable,
    admitted: block.subtract(excepted),
  };
}

/**
 * What one direction could admit at most, from the cidr prefixes alone (excepts ignored):
 * enough to rule out "the world" and "too broad" for the usual small private blocks
 * without building address sets.
 */
export interface ExposureBound {
  readonly everything: boolean;
  readonly total: Readonly<Record<IpFamily, bigint>>;
  readonly largest: Readonly<Record<IpFamily, bigint>>;
}

const EVERYTHING_BOUND: ExposureBound = { everything: true, total: { 4: 0n, 6: 0n }, largest: { 4: 0n, 6: 0n } };

export function exposureBound(policy: NetworkPolicyModel, direction: Direction): ExposureBound {
  const total = { 4: 0n, 6: 0n };
  const largest = { 4: 0n, 6: 0n };
  for (const rule of policy.rules[direction]) {
    if (rule.peers.length === 0) return EVERYTHING_BOUND;
    for (const peer of rule.peers) {
      if (peer.ipBlock === undefined) continue;
      const parsed = peer.ipBlock.parsedCidr;
      if (!parsed.ok) return EVERYTHING_BOUND;
      const size = cidrSize(parsed.cidr);
      const family = parsed.cidr.family;
      total[family] += size;
      if (size > largest[family]) largest[family] = size;
    }
  }
  return { everything: false, total, largest };
}

export function boundMayAdmitWorld(bound: ExposureBound, threshold: number): boolean {
  return bound.everything || sizesMayCoverPublicShare(bound.total, threshold);
}

const shares = new WeakMap<AddressSet, PublicShare>();

/** What a policy admits in a direction, computed once per model: models are immutable. */
export const directionExposure: (policy: NetworkPolicyModel, direction: Direction) => DirectionExposure = perDirection(computeExposure);

function computeExposure(policy: NetworkPolicyModel, direction: Direction): DirectionExposure {
  const openRules: PolicyRule[] = [];
  const blocks: IpBlockContribution[] = [];
  for (const rule of policy.rules[direction]) {
    if (rule.peers.length === 0) openRules.push(rule);
    for (const peer of rule.peers) {
      if (peer.ipBlock !== undefined) blocks.push(contributionOf(rule, peer, peer.ipBlock));
    }
  }
  const base = openRules.length > 0 ? AddressSet.everything() : AddressSet.EMPTY;
  const admitted = AddressSet.unionAll([base, ...blocks.map((block) => block.admitted)]);
  return { openRules, blocks, admitted };
}

export function publicShareOf(set: AddressSet): PublicShare {
  let share = shares.get(set);
  if (share === undefined) {
    share = set.isEmpty() ? { ipv4: 0, ipv6: 0 } : { ipv4: publicFraction(set, 4), ipv6: publicFraction(set, 6) };
    shares.set(set, share);
  }
  return share;
}

function isWorld(share: PublicShare, threshold: number): boolean {
  return share.ipv4 >= threshold || share.ipv6 >= threshold;
}

/** isWorld for a set, skipping the public-space intersection when the set is too small to matter. */
export function admitsWorld(set: AddressSet, threshold: number): boolean {
  return mayCoverPublicShare(set, threshold) && isWorld(publicShareOf(set), threshold);
}
