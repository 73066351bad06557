import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { INVALID_CIDR_REASON, cidrContainsAddress, cidrOrThrow, cidrSize, isStrictSubsetForApiServer, maskFor, parseCidr, type Cidr } from './cidr.js';
import { formatIpv4, formatIpv6 } from './ip-address.js';

function cidr(text: string): Cidr {
  const result = parseCidr(text);
  if (!result.ok) throw new Error(`${text} should parse`);
  return result.cidr;
}

function mask(bits: number, prefix: number): bigint {
  const all = (1n << BigInt(bits)) - 1n;
  return (all << BigInt(bits - prefix)) & all;
}

const octet = fc.integer({ min: 0, max: 255 });
const octets = fc.tuple(octet, octet, octet, octet);
const zeros = fc.integer({ min: 0, max: 3 }).map((count) => '0'.repeat(count));

describe('parseCidr', () => {
  // Accepted spellings and what they mean to kube-apiserver (networkpolicy-semantics.md §4.D item 21;
  // the real parser is the forked Go 1.16 one, checked against the k8s.io/utils that Kubernetes 1.33 vendors).
  it.each([
    { text: '0.0.0.0/0', family: 4, canonical: '0.0.0.0/0' },
    { text: '000.0.0.0/0', family: 4, canonical: '0.0.0.0/0' },
    { text: '0.0.0.0/00', family: 4, canonical: '0.0.0.0/0' },
    { text: '00.00.00.00/000', family: 4, canonical: '0.0.0.0/0' },
    { text: '1.2.3.4/0', family: 4, canonical: '0.0.0.0/0' },
    { text: '10.0.0.0/1', family: 4, canonical: '0.0.0.0/1' },
    { text: '10.1.2.3/1', family: 4, canonical: '0.0.0.0/1' },
    { text: '010.0.0.0/8', family: 4, canonical: '10.0.0.0/8' },
    { text: '010.0.0.0/08', family: 4, canonical: '10.0.0.0/8' },
    { text: '192.168.1.5/24', family: 4, canonical: '192.168.1.0/24' },
    { text: '255.255.255.255/32', family: 4, canonical: '255.255.255.255/32' },
    { text: '::ffff:0.0.0.0/96', family: 4, canonical: '0.0.0.0/0' },
    { text: '::ffff:0:0/96', family: 4, canonical: '0.0.0.0/0' },
    { text: '::FFFF:0.0.0.0/96', family: 4, canonical: '0.0.0.0/0' },
    { text: '::ffff:10.0.0.0/104', family: 4, canonical: '10.0.0.0/8' },
    { text: '::ffff:010.0.0.0/104', family: 4, canonical: '10.0.0.0/8' },
    { text: '::/0', family: 6, canonical: '::/0' },
    { text: '::/00', family: 6, canonical: '::/0' },
    { text: '0::/0', family: 6, canonical: '::/0' },
    { text: '0:0:0:0:0:0:0:0/0', family: 6, canonical: '::/0' },
    { text: '2001:DB8::/32', family: 6, canonical: '2001:db8::/32' },
    { text: '2001:db8::1/64', family: 6, canonical: '2001:db8::/64' },
    { text: '::ffff:0:0/95', family: 6, canonical: '::fffe:0:0/95' },
    { text: '::1.2.3.4/128', family: 6, canonical: '::102:304/128' },
    // The forked Go 1.16 parser pads IPv6 groups too, as long as each fits 16 bits.
    { text: '00000::/0', family: 6, canonical: '::/0' },
    { text: '0ffff::/16', family: 6, canonical: 'ffff::/16' },
    { text: 'fffe:0ffff::0/96', family: 6, canonical: 'fffe:ffff::/96' },
    // Go's dtoi takes any number of leading zeros on the prefix length.
    { text: '10.0.0.0/0000000008', family: 4, canonical: '10.0.0.0/8' },
    { text: '::/000000000000128', family: 6, canonical: '::/128' },
  ])('reads $text as IPv$family $canonical', ({ text, family, canonical }) => {
    expect(parseCidr(text)).toMatchObject({ ok: true, cidr: { family, canonical } });
  });

  it.each([
    '',
    ' 10.0.0.0/8',
    '10.0.0.0/8 ',
    '10.0.0.0',
    '10.0.0.0/',
    '/8',
    '10.0.0.0/33',
    '256.0.0.0/8',
    '1.2.3/8',
    '1.2.3.4.5/8',
    '10.0.0.0/-1',
    '10.0.0.0/+8',
    '10.0.0.0/8.0',
    '::/129',
    '::ffff:0.0.0.0/129',
    'fe80::1%eth0/64',
    '1:2:3:4:5:6:7:8:9/64',
    '12345::/16',
    ':::/0',
    '1::2::3/64',
    '0x10.0.0.0/8',
    '10.0.0.0/8/8',
  ])('rejects %j', (text) => {
    expect(parseCidr(text)).toEqual({ ok: false, reason: INVALID_CIDR_REASON });
  });

  it("rejects with the API server's message", () => {
    expect(parseCidr('10.0.0.0/33')).toEqual({ ok: false, reason: 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)' });
  });

  it('rejects a prefix length of nine or more significant digits, or one that would overflow', () => {
    expect(parseCidr('10.0.0.0/100000008').ok).toBe(false);
    expect(parseCidr(`10.0.0.0/${'9'.repeat(400)}`).ok).toBe(false);
  });

  it('keeps the prefix as written for an IPv4-mapped block, since the API server compares written prefixes', () => {
    expect(cidr('::ffff:0.0.0.0/96')).toMatchObject({ family: 4, prefix: 0, writtenPrefix: 96 });
    expect(cidr('::ffff:10.0.0.0/104')).toMatchObject({ family: 4, prefix: 8, writtenPrefix: 104 });
    expect(cidr('10.0.0.0/08')).toMatchObject({ family: 4, prefix: 8, writtenPrefix: 8 });
  });

  it('reads leading zeros on IPv4 octets and on the prefix as decimal and masks the host bits', () => {
    fc.assert(
      fc.property(octets, fc.integer({ min: 0, max: 32 }), fc.array(zeros, { minLength: 5, maxLength: 5 }), (quad, prefix, pads) => {
        const padded = `${quad.map((value, i) => `${pads[i]!}${value}`).join('.')}/${pads[4]!}${prefix}`;
        const address = quad.reduce((value, byte) => (value << 8n) | BigInt(byte), 0n);
        const network = address & mask(32, prefix);
        const parsed = cidr(padded);
        expect(parsed).toEqual(cidr(`${quad.join('.')}/${prefix}`));
        expect(parsed).toMatchObject({ family: 4, network, prefix, canonical: `${formatIpv4(network)}/${prefix}` });
      }),
    );
  });

  it('reads IPv6 the same whether compressed, fully expanded, upper case or with a zero-padded prefix', () => {
    const group = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), fc.integer({ min: 0, max: 128 }), zeros, (groups, prefix, pad) => {
        const value = groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
        fc.pre(value >> 32n !== 0xffffn);
        const network = value & mask(128, prefix);
        const expected = { family: 6, network, prefix, writtenPrefix: prefix, canonical: `${formatIpv6(network)}/${prefix}` };
        const expanded = groups.map((g) => g.toString(16).padStart(4, '0')).join(':');
        for (const text of [`${formatIpv6(value)}/${prefix}`, `${expanded}/${prefix}`, `${expanded.toUpperCase()}/${prefix}`, `${expanded}/${pad}${prefix}`]) {
          expect(parseCidr(text)).toEqual({ ok: true, cidr: expected });
        }
      }),
    );
  });

  it('reads ::ffff:a.b.c.d/n with n >= 96 as the IPv4 block a.b.c.d/(n - 96)', () => {
    fc.assert(
      fc.property(octets, fc.integer({ min: 0, max: 32 }), (quad, prefix) => {
        const mapped = cidr(`::ffff:${quad.join('.')}/${96 + prefix}`);
        const plain = cidr(`${quad.join('.')}/${prefix}`);
        expect(mapped).toEqual({ ...plain, writtenPrefix: 96 + prefix });
      }),
    );
  });

  it('never throws, whatever the text', () => {
    const texts = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.stringMatching(/^[0-9a-fA-F:.%]{0,24}\/[0-9]{0,4}$/),
      fc.stringMatching(/^(::ffff:)?0{0,3}\d{1,3}\.0{0,3}\d{1,3}\.0{0,3}\d{1,3}\.0{0,3}\d{1,3}(\/0{0,3}\d{1,3})?$/),
    );
    fc.assert(
      fc.property(texts, (text) => {
        expect(typeof parseCidr(text).ok).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });

  it('returns a canonical form that parses back to the same block, with no host bits set', () => {
    const texts = fc.oneof(
      fc.stringMatching(/^[0-9a-fA-F:.]{0,24}\/[0-9]{1,3}$/),
      fc.stringMatching(/^(::ffff:)?0{0,3}\d{1,3}\.0{0,3}\d{1,3}\.0{0,3}\d{1,3}\.0{0,3}\d{1,3}\/0{0,3}\d{1,3}$/),
    );
    fc.assert(
      fc.property(texts, (text) => {
        const result = parseCidr(text);
        if (!result.ok) return;
        const { family, network, prefix, canonical } = result.cidr;
        expect(network & ~mask(family === 4 ? 32 : 128, prefix)).toBe(0n);
        expect(cidr(canonical)).toMatchObject({ family, network, prefix, canonical });
      }),
      { numRuns: 2000 },
    );
  });
});

describe('cidrOrThrow', () => {
  it('returns the parsed block, and throws for a text that is not a CIDR', () => {
    expect(cidrOrThrow('10.1.2.3/16')).toMatchObject({ family: 4, network: 0x0a010000n, prefix: 16, canonical: '10.1.0.0/16' });
    expect(() => cidrOrThrow('10.0.0.0/33')).toThrow(new Error('not a CIDR: 10.0.0.0/33'));
  });
});

describe('maskFor', () => {
  it('sets the prefix bits of the family', () => {
    expect(maskFor(4, 0)).toBe(0n);
    expect(maskFor(4, 8)).toBe(0xff000000n);
    expect(maskFor(4, 32)).toBe(0xffffffffn);
    expect(maskFor(6, 128)).toBe((1n << 128n) - 1n);
    expect(maskFor(6, 16)).toBe(0xffffn << 112n);
  });
});

describe('cidrContainsAddress', () => {
  it('keeps the families apart: ::/0 holds no IPv4 address and 0.0.0.0/0 no IPv6 address', () => {
    expect(cidrContainsAddress(cidr('::/0'), 4, 0n)).toBe(false);
    expect(cidrContainsAddress(cidr('0.0.0.0/0'), 6, 0n)).toBe(false);
    expect(cidrContainsAddress(cidr('0.0.0.0/0'), 4, 0xffffffffn)).toBe(true);
  });

  it('holds exactly the addresses that share the network prefix', () => {
    const block = cidr('10.1.0.0/16');
    expect(cidrContainsAddress(block, 4, 0x0a010000n)).toBe(true);
    expect(cidrContainsAddress(block, 4, 0x0a01ffffn)).toBe(true);
    expect(cidrContainsAddress(block, 4, 0x0a00ffffn)).toBe(false);
    expect(cidrContainsAddress(block, 4, 0x0a020000n)).toBe(false);
  });
});

describe('cidrSize', () => {
  it.each([
    { text: '0.0.0.0/0', size: 1n << 32n },
    { text: '10.0.0.0/8', size: 1n << 24n },
    { text: '1.2.3.4/32', size: 1n },
    { text: '::/0', size: 1n << 128n },
    { text: '::ffff:10.0.0.0/104', size: 1n << 24n },
  ])('counts the addresses of $text', ({ text, size }) => {
    expect(cidrSize(cidr(text))).toBe(size);
  });
});

describe('isStrictSubsetForApiServer', () => {
  // The API server checks cidr.Contains(except.IP) && cidrMaskLen < exceptMaskLen on the
  // written mask lengths (networkpolicy-semantics.md §4.D item 26).
  it.each([
    { block: '0.0.0.0/0', except: '10.0.0.0/8', accepted: true },
    { block: '10.0.0.0/8', except: '10.1.2.3/16', accepted: true },
    { block: '2001:db8::/32', except: '2001:db8:1::/48', accepted: true },
    { block: '0.0.0.0/0', except: '::ffff:10.0.0.0/104', accepted: true },
    { block: '::ffff:0.0.0.0/96', except: '10.0.0.0/8', accepted: false },
    { block: '::ffff:0.0.0.0/96', except: '::ffff:10.0.0.0/104', accepted: true },
    { block: '10.0.0.0/8', except: '10.0.0.0/8', accepted: false },
    { block: '10.0.0.0/8', except: '010.0.0.0/08', accepted: false },
    { block: '10.0.0.0/16', except: '10.0.0.0/8', accepted: false },
    { block: '10.0.0.0/8', except: '11.0.0.0/16', accepted: false },
    { block: '0.0.0.0/0', except: '::/1', accepted: false },
    { block: '::/0', except: '10.0.0.0/8', accepted: false },
    { block: '::/0', except: '::ffff:10.0.0.0/104', accepted: false },
  ])('answers $accepted for except $except under cidr $block', ({ block, except, accepted }) => {
    expect(isStrictSubsetForApiServer(cidr(block), cidr(except))).toBe(accepted);
  });
});
