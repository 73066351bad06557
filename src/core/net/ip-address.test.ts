import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { formatIpv4, formatIpv6, parseIpAddress, parseIpv4, parseIpv6 } from './ip-address.js';

function fromGroups(groups: readonly number[]): bigint {
  return groups.reduce((value, group) => (value << 16n) | BigInt(group), 0n);
}

// Zero groups are over-represented so that runs to compress, and ties between runs, are common.
const group = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
const ipv6Value = fc.array(group, { minLength: 8, maxLength: 8 }).map(fromGroups);

describe('parseIpv4', () => {
  it.each([
    { text: '0.0.0.0', value: 0n },
    { text: '10.1.2.3', value: 0x0a010203n },
    { text: '255.255.255.255', value: 0xffffffffn },
    // kube-apiserver's forked Go 1.16 parser reads leading zeros as decimal padding.
    { text: '01.2.3.4', value: 0x01020304n },
    { text: '1.2.3.04', value: 0x01020304n },
    { text: '010.0.0.0', value: 0x0a000000n },
    { text: '0000000255.0.0.0', value: 0xff000000n },
  ])('reads $text', ({ text, value }) => {
    expect(parseIpv4(text)).toBe(value);
  });

  it.each(['', '1.2.3', '1.2.3.4.5', '256.0.0.0', '0256.0.0.0', '1..2.3', '1.2.3.', '.1.2.3', '0x1.2.3.4', '1.2.3.-4', ' 1.2.3.4'])(
    'rejects %j',
    (text) => {
      expect(parseIpv4(text)).toBeUndefined();
    },
  );

  it('reads back every address that formatIpv4 writes', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 0xffffffffn }), (value) => {
        expect(parseIpv4(formatIpv4(value))).toBe(value);
      }),
    );
  });
});

describe('parseIpv6', () => {
  it.each([
    { text: '::', groups: [0, 0, 0, 0, 0, 0, 0, 0] },
    { text: '::1', groups: [0, 0, 0, 0, 0, 0, 0, 1] },
    { text: '1::', groups: [1, 0, 0, 0, 0, 0, 0, 0] },
    { text: '2001:DB8::Ab:0', groups: [0x2001, 0xdb8, 0, 0, 0, 0, 0xab, 0] },
    { text: '1:2:3:4:5:6:7:8', groups: [1, 2, 3, 4, 5, 6, 7, 8] },
    { text: '0001:0002::0008', groups: [1, 2, 0, 0, 0, 0, 0, 8] },
  ])('reads $text', ({ text, groups }) => {
    expect(parseIpv6(text)).toBe(fromGroups(groups));
  });

  it.each([
    { text: '::1.2.3.4', groups: [0, 0, 0, 0, 0, 0, 0x0102, 0x0304] },
    { text: '::ffff:1.2.3.4', groups: [0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304] },
    { text: '1:2:3:4:5:6:1.2.3.4', groups: [1, 2, 3, 4, 5, 6, 0x0102, 0x0304] },
    { text: '1::1.2.3.4', groups: [1, 0, 0, 0, 0, 0, 0x0102, 0x0304] },
  ])('reads the trailing dotted quad of $text as the last two groups', ({ text, groups }) => {
    expect(parseIpv6(text)).toBe(fromGroups(groups));
  });

  it.each([
    { text: '1:2:3:4:5:6:7:1.2.3.4', why: 'the dotted quad does not fit after seven groups' },
    { text: '1:2:3:4:5:1.2.3.4', why: 'without :: the dotted quad must follow exactly six groups' },
    { text: '1:2:3:4:5:6::1.2.3.4', why: 'the :: would stand for no group at all' },
    { text: '::1.2.3', why: 'the dotted quad is short' },
    { text: '::1.2.3.4:5', why: 'the dotted quad must come last' },
    { text: '::ffff:0a.0.0.0', why: 'a dotted-quad field is decimal' },
  ])('rejects $text because $why', ({ text }) => {
    expect(parseIpv6(text)).toBeUndefined();
  });

  it.each([
    { text: '', why: 'it is empty' },
    { text: ':::', why: 'a third colon follows the ::' },
    { text: '1::2::3', why: 'it has two ::' },
    { text: '12345::', why: 'a group is larger than 0xffff' },
    { text: '1:2:3:4:5:6:7:8:9', why: 'it has nine groups' },
    { text: '1:2:3:4:5:6:7', why: 'it has seven groups and no ::' },
    { text: '1:2:3:4:5:6:7:8::', why: 'the :: would stand for no group at all' },
    { text: '1:', why: 'it ends in a single colon' },
    { text: ':1::', why: 'it starts with a single colon' },
    { text: 'fe80::1%eth0', why: 'it has a zone' },
    { text: 'g::', why: 'g is not a hex digit' },
    { text: '1-2::', why: 'groups are separated by colons only' },
    { text: '1::2:', why: 'it ends in a single colon after a ::' },
    { text: '::1:', why: 'it ends in a single colon after a leading ::' },
    { text: '::1::2', why: 'it has two ::, the first leading' },
    { text: '1::2:3:4:5:6:7:1.2.3.4', why: 'seven groups and a dotted quad leave no group for the ::' },
  ])('rejects $text because $why', ({ text }) => {
    expect(parseIpv6(text)).toBeUndefined();
  });

  it('reads back every address that formatIpv6 writes', () => {
    fc.assert(
      fc.property(ipv6Value, (value) => {
        expect(parseIpv6(formatIpv6(value))).toBe(value);
      }),
    );
  });
});

describe('parseIpAddress', () => {
  it.each([
    { text: '1.2.3.4', family: 4 },
    { text: '::1.2.3.4', family: 6 },
    { text: '2001:db8::1', family: 6 },
  ])('reads $text as IPv$family', ({ text, family }) => {
    expect(parseIpAddress(text)?.family).toBe(family);
  });

  it.each(['1.2.3.4::', '1.2.3.4:80'])('reads %j as IPv4 because the dot comes first, and so rejects it', (text) => {
    expect(parseIpAddress(text)).toBeUndefined();
  });

  it.each(['', 'localhost', '1234'])('rejects %j, which has neither . nor :', (text) => {
    expect(parseIpAddress(text)).toBeUndefined();
  });
});

describe('formatIpv6 (RFC 5952)', () => {
  it.each([
    { groups: [0, 0, 0, 0, 0, 0, 0, 0], text: '::' },
    { groups: [0, 0, 0, 0, 0, 0, 0, 1], text: '::1' },
    { groups: [1, 0, 0, 0, 0, 0, 0, 0], text: '1::' },
    { groups: [0x2001, 0xdb8, 0, 0, 0, 0, 0, 1], text: '2001:db8::1' },
    { groups: [0x2001, 0, 0, 1, 0, 0, 0, 1], text: '2001:0:0:1::1' },
    { groups: [0x2001, 0xdb8, 0, 0, 1, 0, 0, 1], text: '2001:db8::1:0:0:1' },
    { groups: [0x2001, 0xdb8, 0, 1, 1, 1, 1, 1], text: '2001:db8:0:1:1:1:1:1' },
    { groups: [0x2001, 0xdb8, 0xabcd, 0xef, 0xa, 0xb, 0xc, 0xd], text: '2001:db8:abcd:ef:a:b:c:d' },
  ])('writes $text', ({ groups, text }) => {
    expect(formatIpv6(fromGroups(groups))).toBe(text);
  });

  it('compresses the longest run of zero groups', () => {
    expect(formatIpv6(fromGroups([1, 0, 0, 1, 0, 0, 0, 1]))).toBe('1:0:0:1::1');
  });

  it('compresses the first run when two runs are equally long', () => {
    expect(formatIpv6(fromGroups([1, 0, 0, 1, 1, 0, 0, 1]))).toBe('1::1:1:0:0:1');
  });

  it('does not compress a single zero group', () => {
    expect(formatIpv6(fromGroups([1, 0, 1, 1, 1, 1, 1, 1]))).toBe('1:0:1:1:1:1:1:1');
  });

  it('writes lowercase hex without leading zeros and uses :: at most once', () => {
    fc.assert(
      fc.property(ipv6Value, (value) => {
        const text = formatIpv6(value);
        expect(text).toMatch(/^[0-9a-f:]+$/);
        expect(text.split('::').length).toBeLessThanOrEqual(2);
        for (const field of text.split(':')) expect(field).not.toMatch(/^0[0-9a-f]/);
      }),
    );
  });
});
