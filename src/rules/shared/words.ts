/**
 * Small phrasings that several rules share: values quoted within bounds, shares of the
 * public address space, address sets, label lists. Rules build summaries and fixes
 * from these; the edges render findings.
 */
import type { Labels } from '../../core/kubernetes/label-selector.js';
import type { AddressSet } from '../../core/net/address-set.js';
import type { PublicShare } from '../../core/netpol/admitted-addresses.js';

export const SUMMARY_MAX = 100;

/** A user's value in double quotes, cut in the middle when longer than `max`, so a summary stays one short line. */
export function quote(value: string, max = 40): string {
  if (value.length <= max) return JSON.stringify(value);
  const half = Math.floor((max - 1) / 2);
  return JSON.stringify(`${value.slice(0, half)}…${value.slice(value.length - half)}`);
}

/** Joins parts and drops the optional tail parts, then cuts, until the line fits in SUMMARY_MAX. */
export function fitSummary(required: string, ...optional: readonly string[]): string {
  let text = `${required}${optional.join('')}`;
  for (let kept = optional.length - 1; text.length > SUMMARY_MAX && kept >= 0; kept--) {
    text = `${required}${optional.slice(0, kept).join('')}`;
  }
  return text.length <= SUMMARY_MAX ? text : `${text.slice(0, SUMMARY_MAX - 1)}…`;
}

export function formatPercent(fraction: number): string {
  const percent = fraction * 100;
  return `${percent >= 99.95 || percent < 0.05 ? percent.toFixed(0) : percent.toFixed(1)}%`;
}

/** `100% of public IPv4`, `56.3% of public IPv4 and 12% of public IPv6`. */
export function formatShare(share: PublicShare): string {
  const parts: string[] = [];
  if (share.ipv4 > 0) parts.push(`${formatPercent(share.ipv4)} of public IPv4`);
  if (share.ipv6 > 0) parts.push(`${formatPercent(share.ipv6)} of public IPv6`);
  return parts.length === 0 ? 'no public addresses' : parts.join(' and ');
}

/** `1 block`, `20,000 blocks`. */
export function countOf(count: number, noun: string): string {
  return `${count.toLocaleString('en-US')} ${noun}${count === 1 ? '' : 's'}`;
}

/** An address set as CIDRs: all of them when there are few, else the first two and a count. */
export function describeAddresses(set: AddressSet, listed = 3): string {
  const cidrs = set.firstCidrStrings(listed + 1);
  if (cidrs.length === 0) return 'nothing';
  if (cidrs.length <= listed) return cidrs.join(', ');
  return `${cidrs.slice(0, 2).join(', ')} and ${countOf(set.cidrCount() - 2, 'more block')}`;
}

/** Listed values, or a count when there are more than `listed`: `10.0.0.0/8, 192.168.0.0/16` or `20,000 blocks`. */
export function listOrCount(values: readonly string[], noun: string, listed = 2): string {
  return values.length <= listed ? values.join(', ') : countOf(values.length, noun);
}

/** `app=web,tier=front`, or `no labels`. */
export function formatLabels(labels: Labels): string {
  const entries = Object.entries(labels);
  return entries.length === 0 ? 'no labels' : entries.map(([key, value]) => `${key}=${value}`).join(',');
}

/** `67,108,864`, or `about 2^112` for counts no one reads digit by digit. */
export function formatCount(count: bigint): string {
  if (count < 1_000_000_000_000n) return count.toLocaleString('en-US');
  return `about 2^${count.toString(2).length - 1}`;
}
