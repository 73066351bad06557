/**
 * netpol-world-ingress and netpol-world-egress: one direction of a policy admits the
 * internet, meaning at least the policy's share of public IPv4 or of IPv6 global unicast
 * (`internet.minPublicShare`, which a rule's own `minPublicShare` may override).
 */
import { z } from 'zod';
import { DIRECTION_FIELDS, type Direction, type NetworkPolicyModel } from '../../core/kubernetes/network-policy.js';
import {
  admitsWorld,
  boundMayAdmitWorld,
  directionExposure,
  exposureBound,
  publicShareOf,
  type DirectionExposure,
  type IpBlockContribution,
} from '../../core/netpol/admitted-addresses.js';
import { worldCompletion, type WorldCompletion } from '../../core/netpol/combined-exposure.js';
import { describeSelector, selectorMatches } from '../../core/kubernetes/label-selector.js';
import { DEFAULT_INTERNET_SHARE } from './internet.js';
import { defineRule, type ClusterView, type Finding, type Rule } from '../types.js';
import { countOf, describeAddresses, fitSummary, formatPercent, formatShare, listOrCount, quote } from './words.js';

const worldParams = z
  .object({
    minPublicShare: z
      .number()
      .gt(0)
      .lte(1)
      .optional()
      .describe('Overrides the policy’s `internet.minPublicShare` for this direction; the broad-CIDR rule follows it.'),
  })
  .strict();

type WorldParams = z.infer<typeof worldParams>;

const WORDS: Readonly<Record<Direction, { noun: string }>> = {
  ingress: { noun: 'source' },
  egress: { noun: 'destination' },
};

const FIXES: Readonly<Record<Direction, { open: string; manyOpen: string; block: string; combined: string }>> = {
  ingress: {
    open: 'List the sources the pods need (pods by selector, or known client ranges) under this rule’s `from`.',
    manyOpen: 'List the sources the pods need under each rule’s `from`, or merge the rules into fewer.',
    block: 'Narrow the cidr to the client ranges that need access, or put the service behind an Ingress or Gateway.',
    combined: 'Narrow the ipBlocks of the ingress rules to the client ranges that need access.',
  },
  egress: {
    open: 'List the destinations the pods need (services by selector, or narrow ranges) under this rule’s `to`.',
    manyOpen: 'List the destinations the pods need under each rule’s `to`, or merge the rules into fewer.',
    block: 'Narrow the cidr to the ranges the pods need, or send external traffic through an egress proxy.',
    combined: 'Narrow the ipBlocks of the egress rules to the ranges the pods need.',
  },
};

function shareDetails(exposure: DirectionExposure): Readonly<Record<string, number>> {
  const share = publicShareOf(exposure.admitted);
  return { publicIpv4Share: share.ipv4, publicIpv6Share: share.ipv6 };
}

function openRuleFinding(direction: Direction, rule: DirectionExposure['openRules'][number], exposure: DirectionExposure): Finding {
  const peers = DIRECTION_FIELDS[direction].peers;
  return {
    path: rule.path,
    summary: fitSummary(`${direction} rule ${rule.index} has no \`${peers}\`: it admits every ${WORDS[direction].noun}, the internet`),
    fix: FIXES[direction].open,
    details: { rule: rule.index, ...shareDetails(exposure) },
  };
}

/** What an ipBlock means, when that differs from how it is written. */
export function blockEquivalent(block: IpBlockContribution): string | undefined {
  if (block.cidr === undefined) return '0.0.0.0/0, ::/0';
  const except = block.peer.ipBlock?.except ?? [];
  if (except.length === 0 && block.cidr.canonical === block.cidrText) return undefined;
  return describeAddresses(block.admitted);
}

/** `"1.2.3.4/0" (= 0.0.0.0/0)` or `"0.0.0.0/0" except 10.0.0.0/8, 192.168.0.0/16` or `… except 20,000 blocks`. */
export function blockPhrase(block: IpBlockContribution): string {
  const except = block.peer.ipBlock?.except ?? [];
  if (block.cidr === undefined) return `${quote(block.cidrText)} (unparseable, taken as every address)`;
  if (except.length > 0) return `${quote(block.cidrText)} except ${listOrCount(except, 'block')}`;
  return block.cidr.canonical === block.cidrText ? quote(block.cidrText) : `${quote(block.cidrText)} (= ${block.cidr.canonical})`;
}

function blockDetails(block: IpBlockContribution): Readonly<Record<string, number>> {
  const share = publicShareOf(block.admitted);
  return { rule: block.rule.index, excepts: block.peer.ipBlock?.except.length ?? 0, publicIpv4Share: share.ipv4, publicIpv6Share: share.ipv6 };
}

function blockFinding(direction: Direction, block: IpBlockContribution): Finding {
  const equivalent = blockEquivalent(block);
  return {
    path: [...block.peer.path, 'ipBlock', 'cidr'],
    summary: fitSummary(`${direction} rule ${block.rule.index} admits ${blockPhrase(block)}: the internet`, ` (${formatShare(publicShareOf(block.admitted))})`),
    fix: FIXES[direction].block,
    value: block.cidrText,
    ...(equivalent === undefined ? {} : { equivalent }),
    details: blockDetails(block),
  };
}

function combinedFinding(direction: Direction, exposure: DirectionExposure): Finding {
  const parts = exposure.blocks.filter((block) => !block.admitted.isEmpty());
  const written = parts.map((block) => block.cidrText);
  const value = written.length <= 4 ? written.join(', ') : `${written.slice(0, 3).join(', ')} and ${countOf(written.length - 3, 'more block')}`;
  return {
    path: ['spec', direction],
    summary: fitSummary(`${direction} ipBlocks ${value} together admit the internet`, ` (${formatShare(publicShareOf(exposure.admitted))})`),
    fix: FIXES[direction].combined,
    value,
    equivalent: describeAddresses(exposure.admitted),
    details: { blocks: parts.length, rules: [...new Set(parts.map((block) => String(block.rule.index)))], ...shareDetails(exposure) },
  };
}

/** Past this many rules without peers, one finding speaks for them all. */
export const OPEN_RULES_LISTED = 3;

function openRulesFinding(direction: Direction, exposure: DirectionExposure): Finding {
  const { openRules } = exposure;
  const peers = DIRECTION_FIELDS[direction].peers;
  const first = openRules.slice(0, OPEN_RULES_LISTED).map((rule) => String(rule.index));
  return {
    path: ['spec', direction],
    summary: fitSummary(`${countOf(openRules.length, `${direction} rule`)} have no \`${peers}\` (rules ${first.join(', ')}, …): they admit every ${WORDS[direction].noun}`),
    fix: FIXES[direction].manyOpen,
    details: { openRules: openRules.length, ...shareDetails(exposure) },
  };
}

function policyList(policies: readonly NetworkPolicyModel[]): string {
  const names = policies.map((policy) => quote(policy.name, 63));
  return names.length <= 3 ? names.join(', ') : `${names.slice(0, 2).join(', ')} and ${countOf(names.length - 2, 'more')}`;
}

function completionFinding(direction: Direction, completion: WorldCompletion, view: ClusterView, namespace: string): Finding {
  const share = publicShareOf(completion.admitted);
  const pods = describeSelector(completion.pods);
  const existing = view.pods(namespace)?.filter((pod) => selectorMatches(completion.pods, pod.labels)).length;
  const others = policyList(completion.others);
  const admitted = describeAddresses(completion.admitted);
  return {
    path: ['spec', direction],
    summary: fitSummary(`${direction} with NetworkPolicy ${others} admits the internet to pods ${pods === '' ? '(all)' : pods}`, ` (${formatShare(share)})`),
    fix: `Narrow the ipBlocks of this policy or of ${others}: together they admit ${admitted}.`,
    value: others,
    equivalent: admitted,
    details: {
      otherPolicies: completion.others.map((policy) => policy.name),
      pods: pods === '' ? 'all pods' : pods,
      ...(existing === undefined ? {} : { existingPods: existing }),
      publicIpv4Share: share.ipv4,
      publicIpv6Share: share.ipv6,
    },
  };
}

/**
 * Policies add up per pod: when this one alone stays short of the internet, it is judged
 * with the namespace's other policies for the same pods, and reported when with them it
 * admits the internet while adding public addresses they do not.
 */
function combinedWorldFindings(policy: NetworkPolicyModel, direction: Direction, threshold: number, view: ClusterView): Finding[] {
  const policies = view.networkPolicies(policy.namespace);
  if (policies === undefined || policies.length < 2) return [];
  const completion = worldCompletion(policy, policies, direction, threshold);
  return completion === undefined ? [] : [completionFinding(direction, completion, view, policy.namespace)];
}

function worldFindings(policy: NetworkPolicyModel, direction: Direction, threshold: number, view: ClusterView): Finding[] {
  if (!policy.isolates[direction]) return [];
  if (!boundMayAdmitWorld(exposureBound(policy, direction), threshold)) return combinedWorldFindings(policy, direction, threshold, view);
  const exposure = directionExposure(policy, direction);
  if (!admitsWorld(exposure.admitted, threshold)) return combinedWorldFindings(policy, direction, threshold, view);
  const findings =
    exposure.openRules.length > OPEN_RULES_LISTED
      ? [openRulesFinding(direction, exposure)]
      : exposure.openRules.map((rule) => openRuleFinding(direction, rule, exposure));
  for (const block of exposure.blocks) {
    if (admitsWorld(block.admitted, threshold)) findings.push(blockFinding(direction, block));
  }
  if (findings.length === 0) findings.push(combinedFinding(direction, exposure));
  return findings;
}

const WORLD_REMEDIATION: Readonly<Record<Direction, string>> = {
  ingress:
    'Admit only the sources that need access: pods by podSelector, namespaces by namespaceSelector on kubernetes.io/metadata.name, or the narrow ipBlock ranges of known clients (a load balancer or partner range); put internet-facing traffic behind an Ingress or Gateway instead.',
  egress:
    'Allow egress only to the destinations the pods need: in-cluster services by selector, and narrow ipBlock ranges (or an egress proxy) for external endpoints.',
};

const DESCRIPTIONS: Readonly<Record<Direction, string>> = {
  ingress: `A NetworkPolicy that isolates ingress admits the internet: its ingress rules together (ipBlock cidr minus except, or a rule with no \`from\`) cover at least the policy’s \`internet.minPublicShare\` (default ${formatPercent(DEFAULT_INTERNET_SHARE)}) of the public IPv4 space or of IPv6 global unicast, however the CIDR is spelled; or, since policies add up per pod, it completes that share together with the namespace’s other policies that select the same pods (existing or not yet created).`,
  egress: `A NetworkPolicy that isolates egress lets its pods reach the internet: its egress rules together (ipBlock cidr minus except, or a rule with no \`to\`) cover at least the policy’s \`internet.minPublicShare\` (default ${formatPercent(DEFAULT_INTERNET_SHARE)}) of the public IPv4 space or of IPv6 global unicast; or it completes that share together with the namespace’s other policies that select the same pods.`,
};

export interface WorldRuleSpec {
  readonly id: string;
  readonly direction: Direction;
  readonly defaultAction: Rule['defaultAction'];
}

export function worldRule(spec: WorldRuleSpec): Rule {
  return defineRule<WorldParams, 'NetworkPolicy'>({
    id: spec.id,
    description: DESCRIPTIONS[spec.direction],
    remediation: WORLD_REMEDIATION[spec.direction],
    defaultAction: spec.defaultAction,
    appliesTo: ['NetworkPolicy'],
    params: worldParams,
    reportsInternet: spec.direction,
    check: (subject, { params, internet, view }) =>
      worldFindings(subject.networkPolicy, spec.direction, internet[spec.direction] ?? params.minPublicShare ?? DEFAULT_INTERNET_SHARE, view),
  });
}
