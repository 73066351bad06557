/**
 * IP address parsing with the grammar of Go's `net/netip.ParseAddr`, which is what
 * kube-apiserver's `net.ParseCIDR` uses for the address part of a CIDR. Addresses are
 * held as bigint so that one set arithmetic serves both families.
 */

export type IpFamily = 4 | 6;

export interface IpAddress {
  readonly family: IpFamily;
  readonly value: bigint;
}

export const FAMILY_BITS: Readonly<Record<IpFamily, number>> = { 4: 32, 6: 128 };

const HEX_DIGIT = /^[0-9a-fA-F]$/;

/** Parses a strict dotted quad: four decimal fields, 0–255, no leading zeros. */
export function parseIpv4(text: string): bigint | undefined {
  const fields = text.split('.');
  if (fields.length !== 4) return undefined;
  let value = 0n;
  for (const field of fields) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(field)) return undefined;
    const octet = Number(field);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

interface Ipv6Cursor {
  rest: string;
  groups: number[];
  ellipsisAt: number;
}

/** Reads one hex field (1–4 digits); returns the digit count or -1 when malformed. */
function readHexField(rest: string): number {
  let length = 0;
  while (length < rest.length && HEX_DIGIT.test(rest.charAt(length))) length++;
  return length >= 1 && length <= 4 ? length : -1;
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

/** Parses an IPv6 address (no zone), hex fields of at most four digits, optional trailing dotted quad. */
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

/** Go decides the family by whichever of '.' or ':' comes first. */
export function parseIpAddress(text: string): IpAddress | undefined {
  const dot = text.indexOf('.');
  const colon = text.indexOf(':');
  if (colon >= 0 && (dot < 0 || colon < dot)) {
    const value = parseIpv6(text);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseIpv4(text);
  return value === undefined ? undefined : { family: 4, value };
}

export function formatIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
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
