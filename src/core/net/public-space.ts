/**
 * The public (globally routable unicast) address space: IPv4 outside the IANA
 * special-purpose ranges, and IPv6 global unicast 2000::/3 outside its special-purpose
 * blocks. Sources: IANA IPv4/IPv6 Special-Purpose Address Registries (RFC 6890 and
 * successors), RFC 5771 (multicast), RFC 1112 (240/4 reserved), RFC 9637 (3fff::/20).
 */
import { AddressSet } from './address-set.js';
import { cidrOrThrow, type Cidr } from './cidr.js';
import type { IpFamily } from './ip-address.js';

const IPV4_SPECIAL_PURPOSE = [
  '0.0.0.0/8', // "this network"
  '10.0.0.0/8', // private
  '100.64.0.0/10', // shared address space (CGNAT)
  '127.0.0.0/8', // loopback
  '169.254.0.0/16', // link-local
  '172.16.0.0/12', // private
  '192.0.0.0/24', // IETF protocol assignments
  '192.0.2.0/24', // documentation (TEST-NET-1)
  '192.88.99.0/24', // deprecated 6to4 relay anycast
  '192.168.0.0/16', // private
  '198.18.0.0/15', // benchmarking
  '198.51.100.0/24', // documentation (TEST-NET-2)
  '203.0.113.0/24', // documentation (TEST-NET-3)
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, including limited broadcast
];

const IPV6_GLOBAL_UNICAST = ['2000::/3'];
const IPV6_SPECIAL_PURPOSE = [
  '2001::/23', // IETF protocol assignments
  '2001:db8::/32', // documentation
  '2002::/16', // 6to4
  '3fff::/20', // documentation
];

function cidrsOf(texts: readonly string[]): Cidr[] {
  return texts.map(cidrOrThrow);
}

export const PUBLIC_ADDRESSES: AddressSet = AddressSet.fromCidrs(cidrsOf(['0.0.0.0/0', ...IPV6_GLOBAL_UNICAST])).subtract(
  AddressSet.fromCidrs(cidrsOf([...IPV4_SPECIAL_PURPOSE, ...IPV6_SPECIAL_PURPOSE])),
);

const PUBLIC_SIZE: Readonly<Record<IpFamily, bigint>> = { 4: PUBLIC_ADDRESSES.size(4), 6: PUBLIC_ADDRESSES.size(6) };

/**
 * Whether `set` is large enough to cover `share` of a family's public space at all: a
 * cheap bound that spares the intersection for the usual small private blocks.
 */
export function mayCoverPublicShare(set: AddressSet, share: number): boolean {
  return sizesMayCoverPublicShare({ 4: set.size(4), 6: set.size(6) }, share);
}

/** The same bound from address counts per family (which may over-count). */
export function sizesMayCoverPublicShare(sizes: Readonly<Record<IpFamily, bigint>>, share: number): boolean {
  const scaled = BigInt(Math.ceil(share * 1_000_000));
  return sizes[4] * 1_000_000n >= scaled * PUBLIC_SIZE[4] || sizes[6] * 1_000_000n >= scaled * PUBLIC_SIZE[6];
}

/** Share of the public space of `family` that `set` covers, from 0 to 1. */
export function publicFraction(set: AddressSet, family: IpFamily): number {
  const covered = set.intersect(PUBLIC_ADDRESSES).size(family);
  // Scale before dividing so that the bigint quotient keeps six significant digits.
  return Number((covered * 1_000_000n) / PUBLIC_SIZE[family]) / 1_000_000;
}

export function publicAddressCount(set: AddressSet, family: IpFamily): bigint {
  return set.intersect(PUBLIC_ADDRESSES).size(family);
}
