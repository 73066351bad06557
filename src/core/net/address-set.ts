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

  /** One sort and one sweep, whatever the number of blocks: a policy may carry 50,000. */
  static fromCidrs(cidrs: Iterable<Cidr>): AddressSet {
    return AddressSet.unionAll([...cidrs].map((cidr) => AddressSet.fromCidr(cidr)));
  }

  /** The union of many sets in one sort and one sweep, not one merge per set. */
  static unionAll(sets: readonly AddressSet[]): AddressSet {
    if (sets.length === 0) return AddressSet.EMPTY;
    if (sets.length === 1) return sets[0] as AddressSet;
    return new AddressSet(mergeRanges(sets.flatMap((set) => set.ipv4)), mergeRanges(sets.flatMap((set) => set.ipv6)));
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
    return this.firstCidrStrings(Number.POSITIVE_INFINITY);
  }

  /** The first `limit` of toCidrStrings(), without writing the rest. */
  firstCidrStrings(limit: number): string[] {
    const blocks: string[] = [];
    for (const family of [4, 6] as const) {
      for (const block of cidrBlocks(this.ranges(family), FAMILY_BITS[family])) {
        if (blocks.length >= limit) return blocks;
        blocks.push(`${formatIpAddress({ family, value: block.first })}/${FAMILY_BITS[family] - block.hostBits}`);
      }
    }
    return blocks;
  }

  /** How many blocks toCidrStrings() would write, counted without writing them. */
  cidrCount(): number {
    let count = 0;
    for (const family of [4, 6] as const) {
      const blocks = cidrBlocks(this.ranges(family), FAMILY_BITS[family]);
      while (blocks.next().done !== true) count++;
    }
    return count;
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
  return mergeRanges([...a, ...b]);
}

const byFirst = (x: AddressRange, y: AddressRange): number => (x.first < y.first ? -1 : x.first > y.first ? 1 : 0);

/** Sorts any ranges and joins those that overlap or touch. */
function mergeRanges(ranges: AddressRange[]): Ranges {
  if (ranges.length <= 1) return ranges;
  const sorted = ranges.sort(byFirst);
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

/** What is left of one range after the holes from index `from` on (sorted, disjoint). */
function subtractFrom(range: AddressRange, holes: Ranges, from: number, pieces: AddressRange[]): void {
  let cursor = range.first;
  for (let k = from; k < holes.length && cursor <= range.last; k++) {
    const hole = holes[k] as AddressRange;
    if (hole.first > range.last) break;
    if (hole.first > cursor) pieces.push({ first: cursor, last: hole.first - 1n });
    cursor = hole.last + 1n;
  }
  if (cursor <= range.last) pieces.push({ first: cursor, last: range.last });
}

/** One sweep over two sorted, disjoint lists: holes that end before a range are never visited again. */
function subtractRanges(a: Ranges, b: Ranges): Ranges {
  if (a.length === 0 || b.length === 0) return a;
  const pieces: AddressRange[] = [];
  let from = 0;
  for (const range of a) {
    while (from < b.length && (b[from] as AddressRange).last < range.first) from++;
    subtractFrom(range, b, from, pieces);
  }
  return pieces;
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

/** Bits in a bigint's binary form: 1 for 1n, 8 for 255n; 0 for 0n. */
function bitLength(value: bigint): number {
  return value === 0n ? 0 : value.toString(2).length;
}

/** Host bits of the largest block starting at `first` that is aligned and ends by `last`. */
function largestAlignedBlock(first: bigint, last: bigint, bits: number): number {
  // Alignment: the trailing zero bits of `first` (all of them for 0); fit: log2 of the span.
  const alignment = first === 0n ? bits : bitLength(first & -first) - 1;
  const fit = bitLength(last - first + 1n) - 1;
  return Math.min(alignment, fit);
}

interface CidrBlock {
  readonly first: bigint;
  readonly hostBits: number;
}

function* cidrBlocks(ranges: Ranges, bits: number): Generator<CidrBlock> {
  for (const range of ranges) {
    let first = range.first;
    while (first <= range.last) {
      const hostBits = largestAlignedBlock(first, range.last, bits);
      yield { first, hostBits };
      first += 1n << BigInt(hostBits);
    }
  }
}
