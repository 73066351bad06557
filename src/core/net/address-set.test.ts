import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { AddressSet, type AddressRange } from './address-set.js';
import type { Cidr } from './cidr.js';
import type { IpFamily } from './ip-address.js';
import { cidr, setOf } from '../../../test/helpers/addresses.js';


/*
 * The brute-force model: sets confined to a 256-address universe per family
 * (10.0.0.0/24 and 2001:db8::/120), each address an integer offset 0..255 within it.
 */
const FAMILIES: readonly IpFamily[] = [4, 6];
const UNIVERSE: Readonly<Record<IpFamily, bigint>> = { 4: 0x0a000000n, 6: 0x20010db8n << 96n };
const OFFSETS = Array.from({ length: 256 }, (_, offset) => offset);

type Model = Readonly<Record<IpFamily, ReadonlySet<number>>>;

interface Sample {
  readonly set: AddressSet;
  readonly model: Model;
}

function blockText(family: IpFamily, offset: number, hostBits: number): string {
  return family === 4 ? `10.0.0.${offset}/${32 - hostBits}` : `2001:db8::${offset.toString(16)}/${128 - hostBits}`;
}

// Offsets may carry host bits, which parseCidr must mask away just as the model does.
const block = fc.record({
  family: fc.constantFrom<IpFamily>(4, 6),
  offset: fc.integer({ min: 0, max: 255 }),
  hostBits: fc.integer({ min: 0, max: 8 }),
});

const sample: fc.Arbitrary<Sample> = fc.array(block, { maxLength: 6 }).map((blocks) => {
  const model: Record<IpFamily, Set<number>> = { 4: new Set(), 6: new Set() };
  for (const { family, offset, hostBits } of blocks) {
    const first = offset & ~((1 << hostBits) - 1);
    for (let i = 0; i < 1 << hostBits; i++) model[family].add(first + i);
  }
  return { set: AddressSet.fromCidrs(blocks.map((b) => cidr(blockText(b.family, b.offset, b.hostBits)))), model };
});

function modelOp(a: Model, b: Model, keep: (inA: boolean, inB: boolean) => boolean): Model {
  const pick = (family: IpFamily): Set<number> => new Set(OFFSETS.filter((o) => keep(a[family].has(o), b[family].has(o))));
  return { 4: pick(4), 6: pick(6) };
}

function expectMatchesModel(set: AddressSet, model: Model): void {
  for (const family of FAMILIES) {
    const base = UNIVERSE[family];
    const members = OFFSETS.filter((o) => set.contains(family, base + BigInt(o)));
    expect(members).toEqual([...model[family]].sort((x, y) => x - y));
    expect(set.contains(family, base - 1n)).toBe(false);
    expect(set.contains(family, base + 256n)).toBe(false);
    expect(set.size(family)).toBe(BigInt(model[family].size));
  }
  expect(set.isEmpty()).toBe(model[4].size === 0 && model[6].size === 0);
  expectWellFormed(set);
}

function expectWellFormed(set: AddressSet): void {
  for (const ranges of [set.ipv4, set.ipv6]) {
    ranges.forEach((range, i) => {
      expect(range.first).toBeLessThanOrEqual(range.last);
      const next: AddressRange | undefined = ranges[i + 1];
      // Sorted, disjoint and non-adjacent: a gap of at least one address before the next range.
      if (next !== undefined) expect(range.last + 1n).toBeLessThan(next.first);
    });
  }
}

/** The fewest CIDR blocks that partition `members` within the aligned block [first, first + size). */
function minimalBlockCount(members: ReadonlySet<number>, first: number, size: number): number {
  let count = 0;
  for (let o = first; o < first + size; o++) if (members.has(o)) count++;
  if (count === 0) return 0;
  if (count === size) return 1;
  return minimalBlockCount(members, first, size / 2) + minimalBlockCount(members, first + size / 2, size / 2);
}

/** True when `a` and `b` are the two halves of one aligned block. */
function areBuddies(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family || a.prefix !== b.prefix || a.prefix === 0) return false;
  const size = 1n << BigInt((a.family === 4 ? 32 : 128) - a.prefix);
  const low = a.network < b.network ? a.network : b.network;
  return (a.network ^ b.network) === size && low % (2n * size) === 0n;
}

describe('AddressSet against a brute-force model', () => {
  it('builds from CIDRs exactly the addresses they cover', () => {
    fc.assert(
      fc.property(sample, ({ set, model }) => {
        expectMatchesModel(set, model);
      }),
      { numRuns: 300 },
    );
  });

  it('computes union, subtract and intersect as the model does', () => {
    fc.assert(
      fc.property(sample, sample, (a, b) => {
        expectMatchesModel(a.set.union(b.set), modelOp(a.model, b.model, (x, y) => x || y));
        expectMatchesModel(a.set.subtract(b.set), modelOp(a.model, b.model, (x, y) => x && !y));
        expectMatchesModel(a.set.intersect(b.set), modelOp(a.model, b.model, (x, y) => x && y));
      }),
      { numRuns: 300 },
    );
  });

  it('unions many sets at once as the model does', () => {
    fc.assert(
      fc.property(fc.array(sample, { maxLength: 8 }), (samples) => {
        const model = samples.reduce<Model>((acc, s) => modelOp(acc, s.model, (x, y) => x || y), { 4: new Set(), 6: new Set() });
        expectMatchesModel(AddressSet.unionAll(samples.map((s) => s.set)), model);
      }),
      { numRuns: 300 },
    );
  });

  it('subtracts many scattered holes from many ranges as the model does', () => {
    const many = fc.array(sample, { minLength: 2, maxLength: 6 }).map((samples) => ({
      set: AddressSet.unionAll(samples.map((s) => s.set)),
      model: samples.reduce<Model>((acc, s) => modelOp(acc, s.model, (x, y) => x || y), { 4: new Set(), 6: new Set() }),
    }));
    fc.assert(
      fc.property(many, many, (a, b) => {
        expectMatchesModel(a.set.subtract(b.set), modelOp(a.model, b.model, (x, y) => x && !y));
      }),
      { numRuns: 300 },
    );
  });

  it('lists the first blocks and counts them all as toCidrStrings writes them', () => {
    fc.assert(
      fc.property(sample, fc.integer({ min: 0, max: 12 }), ({ set }, limit) => {
        const all = set.toCidrStrings();
        expect(set.firstCidrStrings(limit)).toEqual(all.slice(0, limit));
        expect(set.cidrCount()).toBe(all.length);
      }),
      { numRuns: 300 },
    );
  });

  it('reports two sets equal exactly when they hold the same addresses', () => {
    fc.assert(
      fc.property(sample, sample, (a, b) => {
        const same = FAMILIES.every(
          (family) => a.model[family].size === b.model[family].size && [...a.model[family]].every((o) => b.model[family].has(o)),
        );
        expect(a.set.equals(b.set)).toBe(same);
        const rebuilt = AddressSet.fromCidrs(FAMILIES.flatMap((family) => [...a.model[family]].map((o) => cidr(blockText(family, o, 0)))));
        expect(rebuilt.equals(a.set)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('writes the fewest CIDR blocks that parse back to the same set', () => {
    fc.assert(
      fc.property(sample, ({ set, model }) => {
        const blocks = set.toCidrStrings().map(cidr);
        expect(AddressSet.fromCidrs(blocks).equals(set)).toBe(true);
        for (const family of FAMILIES) {
          expect(blocks.filter((b) => b.family === family)).toHaveLength(minimalBlockCount(model[family], 0, 256));
        }
        for (const [i, a] of blocks.entries()) {
          for (const b of blocks.slice(i + 1)) expect(areBuddies(a, b)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('AddressSet algebra', () => {
  it('has a commutative and associative union', () => {
    fc.assert(
      fc.property(sample, sample, sample, (a, b, c) => {
        expect(a.set.union(b.set).equals(b.set.union(a.set))).toBe(true);
        expect(a.set.union(b.set).union(c.set).equals(a.set.union(b.set.union(c.set)))).toBe(true);
      }),
    );
  });

  it('leaves nothing when a set is subtracted from itself', () => {
    fc.assert(
      fc.property(sample, ({ set }) => {
        expect(set.subtract(set).isEmpty()).toBe(true);
      }),
    );
  });

  it('keeps (A ∪ B) − B within A, and A ∩ B within both', () => {
    fc.assert(
      fc.property(sample, sample, (a, b) => {
        expect(a.set.union(b.set).subtract(b.set).subtract(a.set).isEmpty()).toBe(true);
        const both = a.set.intersect(b.set);
        expect(both.subtract(a.set).isEmpty()).toBe(true);
        expect(both.subtract(b.set).isEmpty()).toBe(true);
        expect(both.equals(b.set.intersect(a.set))).toBe(true);
      }),
    );
  });
});

function ipv4Text(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

function ipv6Text(value: bigint): string {
  return Array.from({ length: 8 }, (_, i) => ((value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16)).join(':');
}

describe('AddressSet at full width', () => {
  const anyBlock = fc.oneof(
    fc.record({ family: fc.constant<IpFamily>(4), value: fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }), prefix: fc.integer({ min: 0, max: 32 }) }),
    fc.record({ family: fc.constant<IpFamily>(6), value: fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), prefix: fc.integer({ min: 0, max: 128 }) }),
  );
  const anySet = fc
    .array(anyBlock, { maxLength: 5 })
    .map((blocks) => AddressSet.fromCidrs(blocks.map(({ family, value, prefix }) => cidr(`${family === 4 ? ipv4Text(value) : ipv6Text(value)}/${prefix}`))));

  it('stays well formed and round-trips through toCidrStrings up to the last address of each family', () => {
    fc.assert(
      fc.property(anySet, anySet, (a, b) => {
        for (const set of [a, a.union(b), a.subtract(b), a.intersect(b), AddressSet.everything().subtract(a)]) {
          expectWellFormed(set);
          expect(AddressSet.fromCidrs(set.toCidrStrings().map(cidr)).equals(set)).toBe(true);
        }
      }),
    );
  });
});

describe('AddressSet examples', () => {
  it('covers all of both families with everything()', () => {
    expect(AddressSet.everything().toCidrStrings()).toEqual(['0.0.0.0/0', '::/0']);
    expect(AddressSet.everything().size(4)).toBe(1n << 32n);
    expect(AddressSet.everything().size(6)).toBe(1n << 128n);
  });

  it('is empty when EMPTY', () => {
    expect(AddressSet.EMPTY.isEmpty()).toBe(true);
    expect(AddressSet.EMPTY.toCidrStrings()).toEqual([]);
  });

  it('joins 0.0.0.0/1 and 128.0.0.0/1 into 0.0.0.0/0', () => {
    expect(setOf('0.0.0.0/1', '128.0.0.0/1').equals(setOf('0.0.0.0/0'))).toBe(true);
  });

  it('leaves nothing of 0.0.0.0/0 once both halves are excepted', () => {
    expect(setOf('0.0.0.0/0').subtract(setOf('0.0.0.0/1', '128.0.0.0/1')).isEmpty()).toBe(true);
  });

  it('writes 0.0.0.0/0 without 10.0.0.0/8 as eight blocks', () => {
    expect(setOf('0.0.0.0/0').subtract(setOf('10.0.0.0/8')).toCidrStrings()).toEqual([
      '0.0.0.0/5',
      '8.0.0.0/7',
      '11.0.0.0/8',
      '12.0.0.0/6',
      '16.0.0.0/4',
      '32.0.0.0/3',
      '64.0.0.0/2',
      '128.0.0.0/1',
    ]);
  });

  it('tells apart sets that share only the first or only the last address of a range', () => {
    expect(setOf('10.0.0.0/8').equals(setOf('10.128.0.0/9'))).toBe(false);
    expect(setOf('10.0.0.0/8').equals(setOf('10.0.0.0/9'))).toBe(false);
    expect(setOf('10.0.0.0/9', '2001:db8::/32').equals(setOf('10.0.0.0/9', '2001:db8::/33'))).toBe(false);
    expect(setOf('10.0.0.0/9', '10.128.0.0/9').equals(setOf('10.0.0.0/8'))).toBe(true);
  });

  it('keeps the last address of a range when a hole ends just before it', () => {
    const allButLast = setOf('10.0.0.0/25', '10.0.0.128/26', '10.0.0.192/27', '10.0.0.224/28', '10.0.0.240/29', '10.0.0.248/30', '10.0.0.252/31', '10.0.0.254/32');
    expect(setOf('10.0.0.0/24').subtract(allButLast).toCidrStrings()).toEqual(['10.0.0.255/32']);
    expect(setOf('10.0.0.0/24').subtract(setOf('10.0.0.0/25', '10.0.0.255/32')).toCidrStrings()).toEqual([
      '10.0.0.128/26',
      '10.0.0.192/27',
      '10.0.0.224/28',
      '10.0.0.240/29',
      '10.0.0.248/30',
      '10.0.0.252/31',
      '10.0.0.254/32',
    ]);
  });

  it('lists IPv4 blocks before IPv6 blocks', () => {
    expect(setOf('2001:db8::/32', '10.0.0.0/8').toCidrStrings()).toEqual(['10.0.0.0/8', '2001:db8::/32']);
  });

  it('does not let an IPv4 block subtract from IPv6 or the reverse', () => {
    const both = setOf('0.0.0.0/0', '::/0');
    expect(both.subtract(setOf('::/0')).equals(setOf('0.0.0.0/0'))).toBe(true);
    expect(both.subtract(setOf('0.0.0.0/0')).equals(setOf('::/0'))).toBe(true);
  });
});
