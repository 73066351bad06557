/**
 * A ClusterView over a set of manifests: what `check` knows of the cluster is what it
 * was given. Namespaces with no NetworkPolicy in the input have none.
 */
import type { JsonRecord } from '../core/kubernetes/shape.js';
import type { NetworkPolicyModel } from '../core/kubernetes/network-policy.js';
import { readSubject } from '../core/kubernetes/subject.js';
import type { ClusterView } from '../rules/types.js';

export function manifestView(objects: readonly JsonRecord[], defaultNamespace: string): ClusterView {
  const byNamespace = new Map<string, NetworkPolicyModel[]>();
  for (const object of objects) {
    const subject = readSubject(object, defaultNamespace);
    if (subject.judgedAs !== 'NetworkPolicy') continue;
    const policy = subject.networkPolicy;
    const list = byNamespace.get(policy.namespace) ?? [];
    list.push(policy);
    byNamespace.set(policy.namespace, list);
  }
  return { networkPolicies: (namespace) => byNamespace.get(namespace) ?? [] };
}
