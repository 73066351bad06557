/**
 * Sets of IP addresses as sorted, disjoint, non-adjacent inclusive intervals, one list
 * per family. Immutable: every operation returns a new set.
 */
import type { Cidr } from './cidr.js';
import { FAMILY_BITS, formatIpAddress, type IpFamily } from './ip-address.js';

export interface AddressRange {
  readonly first: bigint;
  readonly last: bigint;
}

type Ranges = readonly AddressRange[];

export class AddressSet {
  static readonly EMPTY = new AddressSet([], []);

  private constructor(
    readonly ipv4: Ranges,
    readonly ipv6: Ranges,
  ) {}

  static fromCidr(cidr: Cidr): AddressSet {
    const span = 1n << BigInt(FAMILY_BITS[cidr.family] - cidr.prefix);
    const range = [{ first: cidr.network, last: cidr.network + span - 1n }];
    return cidr.family === 4 ? new AddressSet(range, []) : new AddressSet([], range);
  }

  static fromCidrs(cidrs: Iterable<Cidr>): AddressSet {
    let set = AddressSet.EMPTY;
    for (const cidr of cidrs) set = set.union(AddressSet.fromCidr(cidr));
    return set;
  }

  /** Every address of both families. */
  static everything(): AddressSet {
    return new AddressSet([{ first: 0n, last: (1n << 32n) - 1n }], [{ first: 0n, last: (1n << 128n) - 1n }]);
  }

  ranges(family: IpFamily): Ranges {
    return family === 4 ? this.ipv4 : this.ipv6;
  }

  isEmpty(): boolean {
    return this.ipv4.length === 0 && this.ipv6.length === 0;
  }

  union(other: AddressSet): AddressSet {
    return new AddressSet(unionRanges(this.ipv4, other.ipv4), unionRanges(this.ipv6, other.ipv6));
  }

  subtract(other: AddressSet): AddressSet {
    return new AddressSet(subtractRanges(this.ipv4, other.ipv4), subtractRanges(this.ipv6, other.ipv6));
  }

  intersect(other: AddressSet): AddressSet {
    return new AddressSet(intersectRanges(this.ipv4, other.ipv4), intersectRanges(this.ipv6, other.ipv6));
  }

  size(family: IpFamily): bigint {
    return this.ranges(family).reduce((total, range) => total + range.last - range.first + 1n, 0n);
  }

  contains(family: IpFamily, address: bigint): boolean {
    return this.ranges(family).some((range) => range.first <= address && address <= range.last);
  }

  equals(other: AddressSet): boolean {
    return sameRanges(this.ipv4, other.ipv4) && sameRanges(this.ipv6, other.ipv6);
  }

  /** The fewest CIDR blocks that cover exactly this set, IPv4 first. */
  toCidrStrings(): string[] {
    return [...rangesToCidrs(4, this.ipv4), ...rangesToCidrs(6, this.ipv6)];
  }
}

function sameRanges(a: Ranges, b: Ranges): boolean {
  if (a.length !== b.length) return false;
  return a.every((range, i) => {
    const other = b[i];
    return other !== undefined && range.first === other.first && range.last === other.last;
  });
}

function unionRanges(a: Ranges, b: Ranges): Ranges {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const sorted = [...a, ...b].sort((x, y) => (x.first < y.first ? -1 : x.first > y.first ? 1 : 0));
  const merged: AddressRange[] = [];
  for (const range of sorted) {
    const previous = merged[merged.length - 1];
    if (previous !== undefined && range.first <= previous.last + 1n) {
      if (range.last > previous.last) merged[merged.length - 1] = { first: previous.first, last: range.last };
    } else {
      merged.push(range);
    }
  }
  return merged;
}

function subtractOne(range: AddressRange, holes: Ranges): AddressRange[] {
  const pieces: AddressRange[] = [];
  let cursor = range.first;
  for (const hole of holes) {
    if (hole.last < cursor || hole.first > range.last) continue;
    if (hole.first > cursor) pieces.push({ first: cursor, last: hole.first - 1n });
    cursor = hole.last + 1n;
    if (cursor > range.last) return pieces;
  }
  pieces.push({ first: cursor, last: range.last });
  return pieces;
}

function subtractRanges(a: Ranges, b: Ranges): Ranges {
  if (a.length === 0 || b.length === 0) return a;
  return a.flatMap((range) => subtractOne(range, b));
}

/** One merge pass over two sorted, disjoint lists. */
function intersectRanges(a: Ranges, b: Ranges): Ranges {
  const overlap: AddressRange[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as AddressRange;
    const y = b[j] as AddressRange;
    const first = x.first > y.first ? x.first : y.first;
    const last = x.last < y.last ? x.last : y.last;
    if (first <= last) overlap.push({ first, last });
    if (x.last < y.last) i++;
    else j++;
  }
  return overlap;
}

function largestAlignedBlock(first: bigint, last: bigint, bits: number): number {
  let hostBits = 0;
  while (hostBits < bits) {
    const size = 1n << BigInt(hostBits + 1);
    if (first % size !== 0n || first + size - 1n > last) break;
    hostBits++;
  }
  return hostBits;
}

function rangesToCidrs(family: IpFamily, ranges: Ranges): string[] {
  const bits = FAMILY_BITS[family];
  const blocks: string[] = [];
  for (const range of ranges) {
    let first = range.first;
    while (first <= range.last) {
      const hostBits = largestAlignedBlock(first, range.last, bits);
      blocks.push(`${formatIpAddress({ family, value: first })}/${bits - hostBits}`);
      first += 1n << BigInt(hostBits);
    }
  }
  return blocks;
}
