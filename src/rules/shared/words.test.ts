import { describe, expect, it } from 'vitest';
import { AddressSet } from '../../core/net/address-set.js';
import { cidrOrThrow } from '../../core/net/cidr.js';
import { countOf, describeAddresses, fitSummary, formatCount, formatLabels, formatPercent, listOrCount, quote, SUMMARY_MAX } from './words.js';

describe('words', () => {
  it('quotes a value whole up to the limit, and cuts the middle past it', () => {
    expect(quote('1.2.3.4/0')).toBe('"1.2.3.4/0"');
    expect(quote('a'.repeat(40))).toBe(`"${'a'.repeat(40)}"`);
    expect(quote(`${'a'.repeat(30)}${'b'.repeat(30)}`, 11)).toBe('"aaaaa…bbbbb"');
  });

  it('keeps a summary whole when it fits, drops optional parts from the end, and cuts only as a last resort', () => {
    expect(fitSummary('core', ' one', ' two')).toBe('core one two');
    expect(fitSummary('x'.repeat(90), ' one', ' and two')).toBe(`${'x'.repeat(90)} one`);
    expect(fitSummary('x'.repeat(97), ' one')).toBe('x'.repeat(97));
    const cut = fitSummary('y'.repeat(150));
    expect(cut).toHaveLength(SUMMARY_MAX);
    expect(cut.endsWith('…')).toBe(true);
    expect(fitSummary('x'.repeat(SUMMARY_MAX))).toBe('x'.repeat(SUMMARY_MAX));
  });

  it('writes percentages with one decimal, and whole at the ends', () => {
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(0.99951)).toBe('100%');
    expect(formatPercent(0.5653)).toBe('56.5%');
    expect(formatPercent(0.0004)).toBe('0%');
  });

  it('counts with separators, and big counts as a power of two', () => {
    expect(formatCount(67_108_864n)).toBe('67,108,864');
    expect(formatCount(999_999_999_999n)).toBe('999,999,999,999');
    expect(formatCount(1n << 112n)).toBe('about 2^112');
    expect(countOf(1, 'block')).toBe('1 block');
    expect(countOf(20_000, 'block')).toBe('20,000 blocks');
  });

  it('lists a few values and counts many', () => {
    expect(listOrCount(['10.0.0.0/8', '192.168.0.0/16'], 'block')).toBe('10.0.0.0/8, 192.168.0.0/16');
    expect(listOrCount(['a', 'b', 'c'], 'block')).toBe('3 blocks');
  });

  it('describes an address set by its CIDRs, or the first two and a count', () => {
    const set = (...cidrs: string[]) => AddressSet.fromCidrs(cidrs.map(cidrOrThrow));
    expect(describeAddresses(AddressSet.EMPTY)).toBe('nothing');
    expect(describeAddresses(set('0.0.0.0/0'))).toBe('0.0.0.0/0');
    expect(describeAddresses(set('1.0.0.0/8', '3.0.0.0/8', '5.0.0.0/8', '7.0.0.0/8'))).toBe('1.0.0.0/8, 3.0.0.0/8 and 2 more blocks');
  });

  it('prints labels as key=value pairs', () => {
    expect(formatLabels({})).toBe('no labels');
    expect(formatLabels({ app: 'web', tier: 'front' })).toBe('app=web,tier=front');
  });
});
