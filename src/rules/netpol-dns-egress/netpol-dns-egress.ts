import { z } from 'zod';
import { NAMESPACE_NAME_LABEL } from '../../core/kubernetes/kinds.js';
import { selectorIncludes, selectorMatches, type Labels } from '../../core/kubernetes/label-selector.js';
import type { NetworkPolicyModel, PolicyPeer, PolicyPort, PolicyRule } from '../../core/kubernetes/network-policy.js';
import { AddressSet } from '../../core/net/address-set.js';
import { parseCidr } from '../../core/net/cidr.js';
import { directionExposure } from '../../core/netpol/admitted-addresses.js';
import { portAdmits } from '../../core/netpol/exposure.js';
import { policiesThatMayInclude } from '../../core/netpol/selector-index.js';
import { fitSummary, formatLabels } from '../shared/words.js';
import { defineRule, type ClusterView, type Finding } from '../types.js';

const ID = 'netpol-dns-egress';

const labelMap = z.record(z.string(), z.string());

const params = z
  .object({
    namespace: z.string().min(1).default('kube-system').describe('Namespace of the cluster DNS pods.'),
    namespaceLabels: labelMap.default({}).describe('Extra labels of the DNS namespace (kubernetes.io/metadata.name is implied).'),
    podLabels: labelMap.default({ 'k8s-app': 'kube-dns' }).describe('Labels of the cluster DNS pods.'),
    port: z.number().int().min(1).max(65535).default(53).describe('Port the DNS pods listen on, after Service translation.'),
    udpPortNames: z.array(z.string()).default(['dns']).describe('Named ports that mean DNS over UDP.'),
    tcpPortNames: z.array(z.string()).default(['dns-tcp']).describe('Named ports that mean DNS over TCP.'),
    addresses: z
      .array(z.string().refine((text) => parseCidr(text).ok, 'must be a CIDR'))
      .default(['10.96.0.10/32', '169.254.20.10/32'])
      .describe('DNS addresses an ipBlock may allow instead: the kube-dns ClusterIP, NodeLocal DNSCache.'),
  })
  .strict();

type Params = z.infer<typeof params>;
type Protocol = 'UDP' | 'TCP';

function portAllows(port: PolicyPort, protocol: Protocol, p: Params): boolean {
  // A named port resolves on the DNS pods' containers; the names they use are parameters.
  if (typeof port.port === 'string') return port.protocol === protocol && (protocol === 'UDP' ? p.udpPortNames : p.tcpPortNames).includes(port.port);
  return portAdmits(port, protocol, p.port);
}

function dnsAddresses(p: Params): AddressSet {
  return AddressSet.fromCidrs(p.addresses.flatMap((text) => {
    const parsed = parseCidr(text);
    return parsed.ok ? [parsed.cidr] : [];
  }));
}

function peerReachesDns(peer: PolicyPeer, policyNamespace: string, p: Params): boolean {
  if (peer.ipBlock !== undefined) return false; // judged as addresses below
  const namespaceLabels: Labels = { ...p.namespaceLabels, [NAMESPACE_NAME_LABEL]: p.namespace };
  const namespaceOk = peer.namespaceSelector === undefined ? policyNamespace === p.namespace : selectorMatches(peer.namespaceSelector, namespaceLabels);
  return namespaceOk && (peer.podSelector === undefined || selectorMatches(peer.podSelector, p.podLabels));
}

function ruleReachesDns(rule: PolicyRule, policy: NetworkPolicyModel, protocol: Protocol, p: Params): boolean {
  if (rule.ports.length > 0 && !rule.ports.some((port) => portAllows(port, protocol, p))) return false;
  if (rule.peers.length === 0 || rule.peers.some((peer) => peerReachesDns(peer, policy.namespace, p))) return true;
  const single: NetworkPolicyModel = { ...policy, rules: { ingress: [], egress: [rule] } };
  return !directionExposure(single, 'egress').admitted.intersect(dnsAddresses(p)).isEmpty();
}

/** Egress policies that select at least every pod the reviewed policy selects, itself included. */
function policiesCovering(policy: NetworkPolicyModel, others: readonly NetworkPolicyModel[]): NetworkPolicyModel[] {
  const rest = policiesThatMayInclude(others, policy.podSelector).filter((other) => other.name !== policy.name);
  return [policy, ...rest].filter((candidate) => candidate.isolates.egress && selectorIncludes(candidate.podSelector, policy.podSelector));
}

function reaches(policies: readonly NetworkPolicyModel[], protocol: Protocol, p: Params): boolean {
  return policies.some((candidate) => candidate.rules.egress.some((rule) => ruleReachesDns(rule, candidate, protocol, p)));
}

function dnsFindings(policy: NetworkPolicyModel, view: ClusterView, p: Params): Finding[] {
  // Another policy of the namespace may allow DNS; without the cluster's policies we cannot tell.
  const others = view.networkPolicies(policy.namespace);
  if (!policy.isolates.egress || others === undefined) return [];
  const covering = policiesCovering(policy, others);
  const missing = (['UDP', 'TCP'] as const).filter((protocol) => !reaches(covering, protocol, p));
  if (missing.length === 0) return [];
  const blocked = missing.map((protocol) => `${protocol} ${p.port}`).join(' and ');
  const dns = `${p.namespace}/${formatLabels(p.podLabels)}`;
  return [
    {
      path: ['spec', 'egress'],
      summary: fitSummary(`egress isolation blocks cluster DNS on ${blocked}`, ` (${dns})`),
      fix: `Allow egress to namespace ${p.namespace}, pods ${formatLabels(p.podLabels)}, on UDP and TCP ${p.port}.`,
      value: blocked,
      details: { missing: [...missing], dnsNamespace: p.namespace, coveringPolicies: covering.map((candidate) => candidate.name) },
    },
  ];
}

export const netpolDnsEgress = defineRule({
  id: ID,
  description:
    'An egress-isolating NetworkPolicy whose pods cannot reach the cluster DNS on both UDP and TCP 53 through the policies available (this one and the other egress policies that select at least the same pods); name resolution would fail or break on large answers. Needs the namespace’s other NetworkPolicies: judged by `check` against its input, skipped where the cluster’s policies are not known.',
  remediation:
    'Add an egress rule `to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]` with ports UDP 53 and TCP 53, in this policy or in a namespace-wide allow-dns policy.',
  defaultAction: 'warn',
  appliesTo: ['NetworkPolicy'],
  params,
  check: (subject, { params: p, view }) => dnsFindings(subject.networkPolicy, view, p),
});
