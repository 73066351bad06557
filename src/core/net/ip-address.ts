/**
 * IP address parsing with the grammar kube-apiserver validates ipBlock values with: the
 * Go 1.16 `net` parser that k8s.io/utils keeps as a fork (forkednet, behind
 * ParseCIDRSloppy in the k8s.io/utils that Kubernetes 1.33 vendors). Unlike today's Go it
 * accepts leading zeros, read as decimal in IPv4 fields (`010` is 10) and as padding in
 * IPv6 groups (`00000` is 0, as long as the value fits 16 bits). Addresses are held as
 * bigint so that one set arithmetic serves both families.
 */

export type IpFamily = 4 | 6;

export interface IpAddress {
  readonly family: IpFamily;
  readonly value: bigint;
}

export const FAMILY_BITS: Readonly<Record<IpFamily, number>> = { 4: 32, 6: 128 };

const HEX_DIGIT = /^[0-9a-fA-F]$/;

/** A run of digits read as Go's dtoi/xtoi do: leading zeros are padding; undefined past `max`. */
function readNumber(digits: string, radix: 10 | 16, max: number): number | undefined {
  const significant = digits.replace(/^0+(?=.)/, '');
  if (significant.length > 6) return undefined;
  const value = parseInt(significant, radix);
  return value <= max ? value : undefined;
}

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const DOT = 0x2e;
/** Go's dtoi gives up past this many significant digits, so `0000255` is 255 but a long run is not a number. */
const MAX_SIGNIFICANT_DIGITS = 6;

/**
 * One decimal field of a dotted quad from `start`: its value and where it ends, or
 * undefined when it is empty, too long or over 255.
 */
function readOctet(text: string, start: number): { value: number; end: number } | undefined {
  let value = 0;
  let significant = 0;
  let i = start;
  for (; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < DIGIT_0 || code > DIGIT_9) break;
    if (significant > 0 || code !== DIGIT_0) significant++;
    value = value * 10 + (code - DIGIT_0);
  }
  return i === start || significant > MAX_SIGNIFICANT_DIGITS || value > 255 ? undefined : { value, end: i };
}

/**
 * A dotted quad of four decimal fields, each 0–255; leading zeros allowed and read as
 * decimal. Scanned by character code: a policy may carry 50,000 of these.
 */
export function parseIpv4(text: string): bigint | undefined {
  let value = 0;
  let i = 0;
  for (let field = 0; field < 4; field++) {
    if (field > 0) {
      if (text.charCodeAt(i) !== DOT) return undefined;
      i++;
    }
    const octet = readOctet(text, i);
    if (octet === undefined) return undefined;
    value = value * 256 + octet.value;
    i = octet.end;
  }
  return i === text.length ? BigInt(value) : undefined;
}

interface Ipv6Cursor {
  rest: string;
  groups: number[];
  ellipsisAt: number;
}

/** Reads one hex field (value at most 0xffff); returns the digit count or -1 when malformed. */
function readHexField(rest: string): number {
  let length = 0;
  while (length < rest.length && HEX_DIGIT.test(rest.charAt(length))) length++;
  return length >= 1 && readNumber(rest.slice(0, length), 16, 0xffff) !== undefined ? length : -1;
}

function appendEmbeddedIpv4(cursor: Ipv6Cursor): boolean {
  if (cursor.ellipsisAt < 0 && cursor.groups.length !== 6) return false;
  if (cursor.groups.length > 6) return false;
  const v4 = parseIpv4(cursor.rest);
  if (v4 === undefined) return false;
  cursor.groups.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
  cursor.rest = '';
  return true;
}

/** Consumes the separator after a field; false when the text is malformed. */
function consumeSeparator(cursor: Ipv6Cursor): boolean {
  if (cursor.rest === '') return true;
  if (!cursor.rest.startsWith(':') || cursor.rest.length === 1) return false;
  cursor.rest = cursor.rest.slice(1);
  if (!cursor.rest.startsWith(':')) return true;
  if (cursor.ellipsisAt >= 0) return false;
  cursor.ellipsisAt = cursor.groups.length;
  cursor.rest = cursor.rest.slice(1);
  return true;
}

function readIpv6Fields(cursor: Ipv6Cursor): boolean {
  while (cursor.rest !== '' && cursor.groups.length < 8) {
    const length = readHexField(cursor.rest);
    if (length < 0) return false;
    if (cursor.rest.charAt(length) === '.') return appendEmbeddedIpv4(cursor);
    cursor.groups.push(parseInt(cursor.rest.slice(0, length), 16));
    cursor.rest = cursor.rest.slice(length);
    if (!consumeSeparator(cursor)) return false;
  }
  return cursor.rest === '';
}

function expandGroups(cursor: Ipv6Cursor): number[] | undefined {
  const { groups, ellipsisAt } = cursor;
  if (ellipsisAt < 0) return groups.length === 8 ? groups : undefined;
  // An ellipsis must stand for at least one zero group.
  if (groups.length >= 8) return undefined;
  const zeros = new Array<number>(8 - groups.length).fill(0);
  return [...groups.slice(0, ellipsisAt), ...zeros, ...groups.slice(ellipsisAt)];
}

/** Parses an IPv6 address (no zone), hex fields up to 0xffff, optional trailing dotted quad. */
export function parseIpv6(text: string): bigint | undefined {
  const cursor: Ipv6Cursor = { rest: text, groups: [], ellipsisAt: -1 };
  if (text.startsWith('::')) {
    cursor.ellipsisAt = 0;
    cursor.rest = text.slice(2);
  }
  if (!readIpv6Fields(cursor)) return undefined;
  const groups = expandGroups(cursor);
  if (groups === undefined) return undefined;
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(group), 0n);
}

/** IPv4 first, then IPv6, as the forked Go 1.16 ParseCIDR tries them. */
export function parseIpAddress(text: string): IpAddress | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = parseIpv6(text);
  return v6 === undefined ? undefined : { family: 6, value: v6 };
}

export function formatIpv4(value: bigint): string {
  const n = Number(value);
  return `${Math.floor(n / 0x1000000) & 0xff}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
}

/** RFC 5952 text: lowercase, the longest run (≥ 2) of zero groups compressed. */
export function formatIpv6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === 0) length++;
    if (length > bestLength) {
      bestStart = start;
      bestLength = length;
    }
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

export function formatIpAddress(address: IpAddress): string {
  return address.family === 4 ? formatIpv4(address.value) : formatIpv6(address.value);
}
