import { describe, expect, it } from 'vitest';
import { networkPolicy } from '../../../test/helpers/objects.js';
import { setOf } from '../../../test/helpers/addresses.js';
import { readNetworkPolicy } from '../kubernetes/network-policy.js';
import { AddressSet } from '../net/address-set.js';
import { admitsWorld, boundMayAdmitWorld, directionExposure, exposureBound, publicShareOf } from './admitted-addresses.js';

const egressTo = (...peers: Record<string, unknown>[]) =>
  readNetworkPolicy(networkPolicy('np', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: peers }] }), 'default');
const ipBlock = (cidr: string, except?: string[]) => ({ ipBlock: except === undefined ? { cidr } : { cidr, except } });

describe('exposureBound', () => {
  it('adds up the sizes of the ipBlock cidrs per family and keeps the largest, ignoring excepts and selector peers', () => {
    const policy = egressTo(ipBlock('10.0.0.0/8', ['10.0.0.0/9']), ipBlock('192.168.0.0/16'), { podSelector: {} }, ipBlock('2001:db8::/64'), ipBlock('10.1.0.0/24'));
    expect(exposureBound(policy, 'egress')).toEqual({
      everything: false,
      total: { 4: (1n << 24n) + (1n << 16n) + (1n << 8n), 6: 1n << 64n },
      largest: { 4: 1n << 24n, 6: 1n << 64n },
    });
  });

  it('keeps the largest block when a smaller one comes after it', () => {
    expect(exposureBound(egressTo(ipBlock('10.0.0.0/16'), ipBlock('10.1.0.0/24')), 'egress').largest).toEqual({ 4: 1n << 16n, 6: 0n });
  });

  it('bounds a direction without rules, or with selector peers only, by nothing', () => {
    expect(exposureBound(egressTo({ namespaceSelector: {} }), 'egress')).toEqual({ everything: false, total: { 4: 0n, 6: 0n }, largest: { 4: 0n, 6: 0n } });
    expect(exposureBound(egressTo(ipBlock('10.0.0.0/8')), 'ingress').everything).toBe(false);
  });

  it('is everything for a rule without peers, and for a cidr it cannot parse (fail closed)', () => {
    const open = readNetworkPolicy(networkPolicy('open', { podSelector: {}, egress: [{ ports: [{ port: 443 }] }] }), 'default');
    expect(exposureBound(open, 'egress').everything).toBe(true);
    expect(exposureBound(egressTo(ipBlock('10.0.0.0/33')), 'egress').everything).toBe(true);
  });
});

describe('boundMayAdmitWorld', () => {
  it('rules out the world for small private blocks and keeps it possible for large ones', () => {
    expect(boundMayAdmitWorld(exposureBound(egressTo(ipBlock('10.0.0.0/8')), 'egress'), 0.5)).toBe(false);
    expect(boundMayAdmitWorld(exposureBound(egressTo(ipBlock('0.0.0.0/1'), ipBlock('128.0.0.0/1')), 'egress'), 0.9)).toBe(true);
    expect(boundMayAdmitWorld(exposureBound(egressTo(ipBlock('not-a-cidr')), 'egress'), 0.9)).toBe(true);
  });
});

describe('directionExposure', () => {
  it('admits each ipBlock cidr less its excepts, and lists each block', () => {
    const exposure = directionExposure(egressTo(ipBlock('10.0.0.0/8', ['10.128.0.0/9']), ipBlock('192.168.1.0/24')), 'egress');
    expect(exposure.admitted.toCidrStrings()).toEqual(['10.0.0.0/9', '192.168.1.0/24']);
    expect(exposure.openRules).toEqual([]);
    expect(exposure.blocks.map((block) => [block.cidrText, block.cidr?.canonical, block.unparseableExcepts, block.admitted.toCidrStrings()])).toEqual([
      ['10.0.0.0/8', '10.0.0.0/8', [], ['10.0.0.0/9']],
      ['192.168.1.0/24', '192.168.1.0/24', [], ['192.168.1.0/24']],
    ]);
  });

  it('keeps excepts it cannot parse, and subtracts nothing for them', () => {
    const [block] = directionExposure(egressTo(ipBlock('10.0.0.0/8', ['10.0.0.0/33', '10.1.0.0/16'])), 'egress').blocks;
    expect(block?.unparseableExcepts).toEqual(['10.0.0.0/33']);
    expect(block?.admitted.equals(setOf('10.0.0.0/8').subtract(setOf('10.1.0.0/16')))).toBe(true);
  });

  it('answers the same when asked again', () => {
    const policy = egressTo(ipBlock('10.0.0.0/8'));
    expect(directionExposure(policy, 'egress').admitted.toCidrStrings()).toEqual(['10.0.0.0/8']);
    expect(directionExposure(policy, 'ingress').admitted.isEmpty()).toBe(true);
    expect(directionExposure(policy, 'egress').admitted.toCidrStrings()).toEqual(['10.0.0.0/8']);
  });
});

describe('publicShareOf and admitsWorld', () => {
  it('gives no share of either family to the empty set', () => {
    expect(publicShareOf(AddressSet.EMPTY)).toEqual({ ipv4: 0, ipv6: 0 });
  });

  it('gives each family its own share', () => {
    expect(publicShareOf(setOf('0.0.0.0/0', '10.0.0.0/8'))).toEqual({ ipv4: 1, ipv6: 0 });
    expect(publicShareOf(setOf('::/0'))).toEqual({ ipv4: 0, ipv6: 1 });
  });

  it('admits the world when a share reaches the threshold exactly, in either family', () => {
    expect(admitsWorld(setOf('::/0'), 1)).toBe(true);
    expect(admitsWorld(setOf('2000::/3'), 1)).toBe(true);
    expect(admitsWorld(setOf('0.0.0.0/0'), 1)).toBe(true);
    expect(admitsWorld(setOf('0.0.0.0/1'), 1)).toBe(false);
    expect(admitsWorld(setOf('2000::/4'), 1)).toBe(false);
  });
});
