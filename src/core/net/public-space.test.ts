import { describe, it, expect } from 'vitest';
import { AddressSet } from './address-set.js';
import type { IpFamily } from './ip-address.js';
import { cidr, setOf } from '../../../test/helpers/addresses.js';
import { PUBLIC_ADDRESSES, publicAddressCount, publicFraction } from './public-space.js';


const PRIVATE_IPV4 = setOf('10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16');

describe('publicFraction', () => {
  it.each<{ text: string; family: IpFamily; fraction: number }>([
    { text: '0.0.0.0/0', family: 4, fraction: 1 },
    { text: '::/0', family: 6, fraction: 1 },
    { text: '2000::/3', family: 6, fraction: 1 },
    { text: '10.0.0.0/8', family: 4, fraction: 0 },
    { text: '192.0.2.0/24', family: 4, fraction: 0 },
    { text: '224.0.0.0/3', family: 4, fraction: 0 },
    { text: 'fc00::/7', family: 6, fraction: 0 },
    { text: '2001:db8::/32', family: 6, fraction: 0 },
    { text: '0.0.0.0/0', family: 6, fraction: 0 },
    { text: '::/0', family: 4, fraction: 0 },
  ])('gives $fraction for $text in IPv$family', ({ text, family, fraction }) => {
    expect(publicFraction(setOf(text), family)).toBe(fraction);
  });

  it('counts the IPv4-mapped ::ffff:0.0.0.0/96 as all of public IPv4', () => {
    expect(publicFraction(setOf('::ffff:0.0.0.0/96'), 4)).toBe(1);
  });

  it('gives the lower half of IPv4 more than half of the public space, since multicast and reserved sit in the upper half', () => {
    const lower = publicFraction(setOf('0.0.0.0/1'), 4);
    const upper = publicFraction(setOf('128.0.0.0/1'), 4);
    expect(lower).toBeGreaterThan(0.5);
    expect(lower).toBeLessThan(0.6);
    expect(upper).toBeLessThan(0.5);
    expect(lower + upper).toBeCloseTo(1, 5);
  });

  it('still gives at least 0.99 for 0.0.0.0/0 with the private ranges excepted', () => {
    expect(publicFraction(setOf('0.0.0.0/0').subtract(PRIVATE_IPV4), 4)).toBeGreaterThanOrEqual(0.99);
  });

  it('gives 0 for the empty set', () => {
    expect(publicFraction(AddressSet.EMPTY, 4)).toBe(0);
    expect(publicFraction(AddressSet.EMPTY, 6)).toBe(0);
  });
});

describe('publicAddressCount', () => {
  it.each<{ text: string; family: IpFamily; count: bigint }>([
    { text: '8.8.8.0/24', family: 4, count: 256n },
    { text: '10.0.0.0/8', family: 4, count: 0n },
    { text: '127.0.0.0/8', family: 4, count: 0n },
    { text: '100.64.0.0/10', family: 4, count: 0n },
    { text: '2606:4700::/32', family: 6, count: 1n << 96n },
    { text: '2002::/16', family: 6, count: 0n },
  ])('counts $count public addresses in $text', ({ text, family, count }) => {
    expect(publicAddressCount(setOf(text), family)).toBe(count);
  });
});

describe('PUBLIC_ADDRESSES', () => {
  it('holds no private, loopback, link-local, multicast or documentation address', () => {
    const special = setOf('10.0.0.0/8', '127.0.0.0/8', '169.254.0.0/16', '224.0.0.0/4', '203.0.113.0/24', 'fe80::/10', 'ff00::/8', '::1/128', '3fff::/20');
    expect(PUBLIC_ADDRESSES.intersect(special).isEmpty()).toBe(true);
  });

  it('holds well-known public resolvers', () => {
    expect(PUBLIC_ADDRESSES.contains(4, cidr('8.8.8.8/32').network)).toBe(true);
    expect(PUBLIC_ADDRESSES.contains(6, cidr('2606:4700:4700::1111/128').network)).toBe(true);
  });
});
