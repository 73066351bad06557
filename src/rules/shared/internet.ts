/**
 * One notion of "the internet" for a policy: a share of the public IPv4 or IPv6 space.
 * The world rules report a direction at or past it, and the broad-CIDR rule reports
 * wide blocks below it, so every share leaves no range unreported between them.
 */
import { DIRECTIONS, type Direction } from '../../core/kubernetes/network-policy.js';
import type { Action, InternetShares, Rule } from '../types.js';

/** Half of the public space: more than any provider or region publishes for itself. */
export const DEFAULT_INTERNET_SHARE = 0.5;

export interface RuleSettingView {
  readonly action: Action;
  readonly params: unknown;
}

function overrideOf(params: unknown): number | undefined {
  if (typeof params !== 'object' || params === null || !('minPublicShare' in params)) return undefined;
  const value = (params as { minPublicShare?: unknown }).minPublicShare;
  return typeof value === 'number' ? value : undefined;
}

/**
 * Per direction, the share from which the rule that reports the internet in that
 * direction reports it: its own `minPublicShare`, else the policy's; undefined when no
 * such rule runs (it is off, or absent from the rule set).
 */
export function internetShares(rules: readonly Rule[], settings: ReadonlyMap<string, RuleSettingView>, policyShare: number): InternetShares {
  const shares: Record<Direction, number | undefined> = { ingress: undefined, egress: undefined };
  for (const direction of DIRECTIONS) {
    const rule = rules.find((candidate) => candidate.reportsInternet === direction);
    const setting = rule === undefined ? undefined : settings.get(rule.id);
    if (setting === undefined || setting.action === 'off') continue;
    shares[direction] = overrideOf(setting.params) ?? policyShare;
  }
  return Object.freeze(shares);
}
