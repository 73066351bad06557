import { describe, it, expect } from 'vitest';
import type { IpFamily } from './ip-address.js';
import { cidr, setOf } from '../../../test/helpers/addresses.js';

/*
 * The table of special-purpose blocks, checked entry by entry. public-space.js is imported
 * inside each test, so that a table that fails to build fails these tests instead of the
 * loading of this file (which a mutation run would not count as a failure).
 */
const load = (): Promise<typeof import('./public-space.js')> => import('./public-space.js');

// IANA IPv4 and IPv6 Special-Purpose Address Registries, RFC 5771, RFC 1112, RFC 9637.
const IPV4_BLOCKS = [
  { block: '0.0.0.0/8', before: undefined, after: '1.0.0.0' },
  { block: '10.0.0.0/8', before: '9.255.255.255', after: '11.0.0.0' },
  { block: '100.64.0.0/10', before: '100.63.255.255', after: '100.128.0.0' },
  { block: '127.0.0.0/8', before: '126.255.255.255', after: '128.0.0.0' },
  { block: '169.254.0.0/16', before: '169.253.255.255', after: '169.255.0.0' },
  { block: '172.16.0.0/12', before: '172.15.255.255', after: '172.32.0.0' },
  { block: '192.0.0.0/24', before: '191.255.255.255', after: '192.0.1.0' },
  { block: '192.0.2.0/24', before: '192.0.1.255', after: '192.0.3.0' },
  { block: '192.88.99.0/24', before: '192.88.98.255', after: '192.88.100.0' },
  { block: '192.168.0.0/16', before: '192.167.255.255', after: '192.169.0.0' },
  { block: '198.18.0.0/15', before: '198.17.255.255', after: '198.20.0.0' },
  { block: '198.51.100.0/24', before: '198.51.99.255', after: '198.51.101.0' },
  { block: '203.0.113.0/24', before: '203.0.112.255', after: '203.0.114.0' },
  { block: '224.0.0.0/4', before: '223.255.255.255', after: undefined },
  { block: '240.0.0.0/4', before: undefined, after: undefined },
];

const IPV6_BLOCKS = [
  { block: '2001::/23', before: '2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff', after: '2001:200::' },
  { block: '2001:db8::/32', before: '2001:db7:ffff:ffff:ffff:ffff:ffff:ffff', after: '2001:db9::' },
  { block: '2002::/16', before: '2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff', after: '2003::' },
  { block: '3fff::/20', before: '3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff', after: '3fff:1000::' },
];

function address(text: string): bigint {
  return cidr(`${text}/${text.includes(':') ? 128 : 32}`).network;
}

// First in the file: the first test to load public-space.js is the one a mutation run
// credits with building the table, so it checks the whole of it, both families.
describe('the public space, as first loaded', () => {
  it('holds public IPv4 and IPv6 global unicast less the special-purpose blocks, and measures shares of both', async () => {
    const { PUBLIC_ADDRESSES, publicFraction } = await load();
    expect(PUBLIC_ADDRESSES.size(4)).toBe(3_702_258_432n);
    expect(PUBLIC_ADDRESSES.size(6)).toBe((1n << 125n) - (1n << 105n) - (1n << 96n) - (1n << 112n) - (1n << 108n));
    expect(PUBLIC_ADDRESSES.contains(6, address('2001:db8::1'))).toBe(false);
    expect(publicFraction(setOf('0.0.0.0/0'), 4)).toBe(1);
    expect(publicFraction(setOf('2000::/3'), 6)).toBe(1);
  });
});

describe('the special-purpose blocks', () => {
  it.each(IPV4_BLOCKS)('leaves $block out of public IPv4, and not its neighbours', async ({ block, before, after }) => {
    const { PUBLIC_ADDRESSES, publicAddressCount } = await load();
    expect(publicAddressCount(setOf(block), 4)).toBe(0n);
    if (before !== undefined) expect(PUBLIC_ADDRESSES.contains(4, address(before))).toBe(true);
    if (after !== undefined) expect(PUBLIC_ADDRESSES.contains(4, address(after))).toBe(true);
  });

  it.each(IPV6_BLOCKS)('leaves $block out of public IPv6, and not its neighbours', async ({ block, before, after }) => {
    const { PUBLIC_ADDRESSES, publicAddressCount } = await load();
    expect(publicAddressCount(setOf(block), 6)).toBe(0n);
    expect(PUBLIC_ADDRESSES.contains(6, address(before))).toBe(true);
    expect(PUBLIC_ADDRESSES.contains(6, address(after))).toBe(true);
  });

  it('takes IPv6 public space from global unicast 2000::/3 only', async () => {
    const { PUBLIC_ADDRESSES } = await load();
    expect(PUBLIC_ADDRESSES.contains(6, address('1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'))).toBe(false);
    expect(PUBLIC_ADDRESSES.contains(6, address('2000::'))).toBe(true);
    expect(PUBLIC_ADDRESSES.contains(6, address('3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'))).toBe(true);
    expect(PUBLIC_ADDRESSES.contains(6, address('4000::'))).toBe(false);
  });

  it('counts exactly the addresses outside the table', async () => {
    const { PUBLIC_ADDRESSES } = await load();
    // 2^32 less the fifteen disjoint IPv4 blocks; 2^125 less the four disjoint IPv6 blocks.
    expect(PUBLIC_ADDRESSES.size(4)).toBe(3_702_258_432n);
    expect(PUBLIC_ADDRESSES.size(6)).toBe((1n << 125n) - (1n << 105n) - (1n << 96n) - (1n << 112n) - (1n << 108n));
  });
});

describe('sizesMayCoverPublicShare', () => {
  const PUBLIC4 = 3_702_258_432n;
  const PUBLIC6 = (1n << 125n) - (1n << 105n) - (1n << 96n) - (1n << 112n) - (1n << 108n);
  const sizes = (v4: bigint, v6: bigint): Record<IpFamily, bigint> => ({ 4: v4, 6: v6 });

  it.each([
    { v4: PUBLIC4, v6: 0n, share: 1, may: true },
    { v4: PUBLIC4 - 1n, v6: 0n, share: 1, may: false },
    { v4: PUBLIC4 / 2n, v6: 0n, share: 0.5, may: true },
    { v4: PUBLIC4 / 2n - 1n, v6: 0n, share: 0.5, may: false },
    { v4: 0n, v6: PUBLIC6, share: 1, may: true },
    { v4: 0n, v6: PUBLIC6 - 1n, share: 1, may: false },
    { v4: PUBLIC4 - 1n, v6: PUBLIC6 - 1n, share: 1, may: false },
    { v4: 0n, v6: PUBLIC6 / 4n, share: 0.25, may: true },
    { v4: 0n, v6: 0n, share: 0, may: true },
    // A share is read to six decimal places, rounded up.
    { v4: PUBLIC4 / 1_000_000n + 1n, v6: 0n, share: 0.0000001, may: true },
    { v4: PUBLIC4 / 1_000_000n - 1n, v6: 0n, share: 0.0000001, may: false },
  ])('answers $may for $v4 IPv4 and $v6 IPv6 addresses and share $share', async ({ v4, v6, share, may }) => {
    const { sizesMayCoverPublicShare } = await load();
    expect(sizesMayCoverPublicShare(sizes(v4, v6), share)).toBe(may);
  });
});

describe('mayCoverPublicShare', () => {
  it('bounds by size alone: a large block may cover a share even when none of it is public', async () => {
    const { mayCoverPublicShare } = await load();
    expect(mayCoverPublicShare(setOf('0.0.0.0/1'), 0.5)).toBe(true);
    expect(mayCoverPublicShare(setOf('224.0.0.0/3'), 0.1)).toBe(true);
    expect(mayCoverPublicShare(setOf('10.0.0.0/8'), 0.5)).toBe(false);
    expect(mayCoverPublicShare(setOf('10.0.0.0/8', '2000::/4'), 0.5)).toBe(true);
    expect(mayCoverPublicShare(setOf('2000::/5'), 0.5)).toBe(false);
  });
});
