/**
 * The rule registry: one explicit array, sorted by id. Adding a rule means adding a
 * folder named after its id (rule, fixtures) and one line here; a test enforces the rest.
 */
import { duplicateKeys } from './duplicate-keys/duplicate-keys.js';
import { invalidObject } from './invalid-object/invalid-object.js';
import { namespaceNoDefaultDeny } from './namespace-no-default-deny/namespace-no-default-deny.js';
import { netpolAllNamespaces } from './netpol-all-namespaces/netpol-all-namespaces.js';
import { netpolBroadCidr } from './netpol-broad-cidr/netpol-broad-cidr.js';
import { netpolDnsEgress } from './netpol-dns-egress/netpol-dns-egress.js';
import { netpolIgnoredRules } from './netpol-ignored-rules/netpol-ignored-rules.js';
import { netpolWorldEgress } from './netpol-world-egress/netpol-world-egress.js';
import { netpolWorldIngress } from './netpol-world-ingress/netpol-world-ingress.js';
import { podHostNetwork } from './pod-host-network/pod-host-network.js';
import { podHostPort } from './pod-host-port/pod-host-port.js';
import { podNotIsolated } from './pod-not-isolated/pod-not-isolated.js';
import { requiredLabels } from './required-labels/required-labels.js';
import type { Rule } from './types.js';

export const RULES: readonly Rule[] = [
  duplicateKeys,
  invalidObject,
  namespaceNoDefaultDeny,
  netpolAllNamespaces,
  netpolBroadCidr,
  netpolDnsEgress,
  netpolIgnoredRules,
  netpolWorldEgress,
  netpolWorldIngress,
  podHostNetwork,
  podHostPort,
  podNotIsolated,
  requiredLabels,
];
