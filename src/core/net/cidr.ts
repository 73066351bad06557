/**
 * CIDR parsing exactly as kube-apiserver's legacy validation reads ipBlock values
 * (k8s.io/utils/net ParseCIDRSloppy, the forked Go 1.16 net.ParseCIDR): leading zeros
 * are allowed, so `010.0.0.0/08` means 10.0.0.0/8 (decimal, never octal) and `00000::/0`
 * means ::/0. Host bits are masked away, and an IPv4-mapped IPv6 block
 * (`::ffff:a.b.c.d/n`, n ≥ 96) is the IPv4 block it maps.
 */
import { FAMILY_BITS, formatIpAddress, parseIpAddress, type IpFamily } from './ip-address.js';

export interface Cidr {
  readonly family: IpFamily;
  /** First address of the block, host bits cleared. */
  readonly network: bigint;
  /** Prefix length within `family`. */
  readonly prefix: number;
  /** Prefix length as written (IPv6 length for an IPv4-mapped block); the API server compares these. */
  readonly writtenPrefix: number;
  /** Canonical text, e.g. `0.0.0.0/0` for `1.2.3.4/0`. */
  readonly canonical: string;
}

export type CidrParseResult = { readonly ok: true; readonly cidr: Cidr } | { readonly ok: false; readonly reason: string };

// The upper 96 bits of an IPv4-mapped address: ::ffff:0:0/96.
const IPV4_MAPPED_PREFIX = 0xffffn;
const GO_DTOI_LIMIT = 0xffffff;

export const INVALID_CIDR_REASON = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';

function computeMask(bits: number, prefix: number): bigint {
  const hostBits = BigInt(bits - prefix);
  return ((1n << BigInt(bits)) - 1n) ^ ((1n << hostBits) - 1n);
}

const MASKS: Readonly<Record<IpFamily, readonly bigint[]>> = {
  4: Array.from({ length: 33 }, (_, prefix) => computeMask(32, prefix)),
  6: Array.from({ length: 129 }, (_, prefix) => computeMask(128, prefix)),
};

export function maskFor(family: IpFamily, prefix: number): bigint {
  return MASKS[family][prefix] ?? computeMask(FAMILY_BITS[family], prefix);
}

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
/** Go's dtoi reads at most this many significant digits. */
const MAX_PREFIX_DIGITS = 8;

/** Go's dtoi: decimal digits only (leading zeros fine), the whole string consumed. */
function parsePrefixLength(text: string, from: number): number | undefined {
  if (from >= text.length) return undefined;
  let value = 0;
  let significant = 0;
  for (let i = from; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < DIGIT_0 || code > DIGIT_9) return undefined;
    if (significant > 0 || code !== DIGIT_0) significant++;
    value = value * 10 + (code - DIGIT_0);
  }
  return significant <= MAX_PREFIX_DIGITS && value < GO_DTOI_LIMIT ? value : undefined;
}

function buildCidr(family: IpFamily, network: bigint, prefix: number, writtenPrefix: number): Cidr {
  const canonical = `${formatIpAddress({ family, value: network })}/${prefix}`;
  return { family, network, prefix, writtenPrefix, canonical };
}

function parseCidrText(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const address = parseIpAddress(text.slice(0, slash));
  const prefix = parsePrefixLength(text, slash + 1);
  if (address === undefined || prefix === undefined || prefix > FAMILY_BITS[address.family]) return undefined;
  const network = address.value & maskFor(address.family, prefix);
  if (address.family === 6 && prefix >= 96 && network >> 32n === IPV4_MAPPED_PREFIX) {
    return buildCidr(4, network & 0xffffffffn, prefix - 96, prefix);
  }
  return buildCidr(address.family, network, prefix, prefix);
}

const INVALID: CidrParseResult = Object.freeze({ ok: false, reason: INVALID_CIDR_REASON });

const CACHE_LIMIT = 4096;
const parsed = new Map<string, CidrParseResult>();

/**
 * Memoised, because manifests repeat the same few blocks across thousands of objects.
 * The cache is bounded and starts over when full; parsing itself is a scan of the text,
 * so a policy of 50,000 distinct blocks costs little even when it misses every time.
 */
export function parseCidr(text: string): CidrParseResult {
  let result = parsed.get(text);
  if (result === undefined) {
    const cidr = parseCidrText(text);
    result = cidr === undefined ? INVALID : { ok: true, cidr };
    if (parsed.size >= CACHE_LIMIT) parsed.clear();
    parsed.set(text, result);
  }
  return result;
}

/** For CIDRs written in our own code and tests, which must parse. */
export function cidrOrThrow(text: string): Cidr {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(`not a CIDR: ${text}`);
  return parsed.cidr;
}

export function cidrContainsAddress(cidr: Cidr, family: IpFamily, address: bigint): boolean {
  return cidr.family === family && (address & maskFor(family, cidr.prefix)) === cidr.network;
}

/**
 * The API server's test for an `except` entry: its network lies inside `cidr` and its
 * written prefix is strictly longer than the cidr's written prefix.
 */
export function isStrictSubsetForApiServer(cidr: Cidr, except: Cidr): boolean {
  return cidrContainsAddress(cidr, except.family, except.network) && except.writtenPrefix > cidr.writtenPrefix;
}

export function cidrSize(cidr: Cidr): bigint {
  return 1n << BigInt(FAMILY_BITS[cidr.family] - cidr.prefix);
}
