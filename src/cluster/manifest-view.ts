/**
 * A ClusterView over a set of manifests: what `check` knows of the cluster is what it
 * was given. Namespaces with no NetworkPolicy in the input have none. The namespaces that
 * exist are the input's Namespace objects and those every cluster has (unknown when the
 * input has no Namespace, as most manifest trees do not declare theirs); which pods exist
 * is unknown, as a manifest tree holds workloads whose pods do not exist yet.
 */
import { NAMESPACE_NAME_LABEL } from '../core/kubernetes/kinds.js';
import type { Labels } from '../core/kubernetes/label-selector.js';
import type { JsonRecord } from '../core/kubernetes/shape.js';
import type { ModelCache, NetworkPolicyModel } from '../core/kubernetes/network-policy.js';
import { readSubject } from '../core/kubernetes/subject.js';
import type { ClusterView, LabelledEntry } from '../rules/types.js';

/** The namespaces kube-apiserver creates in every cluster. */
const BUILT_IN_NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];

function namespaceEntry(name: string, labels: Labels): LabelledEntry {
  // The API server labels every namespace with its name.
  return { name, labels: { ...labels, [NAMESPACE_NAME_LABEL]: name } };
}

/** `models`: shared with the evaluation of the same objects, so each NetworkPolicy is read once. */
export function manifestView(objects: readonly JsonRecord[], defaultNamespace: string, models?: ModelCache): ClusterView {
  const byNamespace = new Map<string, NetworkPolicyModel[]>();
  const namespaces = new Map<string, LabelledEntry>();
  for (const object of objects) {
    const subject = readSubject(object, defaultNamespace, models);
    if (subject.judgedAs === 'Namespace') namespaces.set(subject.name, namespaceEntry(subject.name, subject.labels));
    if (subject.judgedAs !== 'NetworkPolicy') continue;
    const policy = subject.networkPolicy;
    const list = byNamespace.get(policy.namespace) ?? [];
    list.push(policy);
    byNamespace.set(policy.namespace, list);
  }
  if (namespaces.size > 0) for (const name of BUILT_IN_NAMESPACES) if (!namespaces.has(name)) namespaces.set(name, namespaceEntry(name, {}));
  const namespaceList = namespaces.size === 0 ? undefined : [...namespaces.values()];
  return {
    networkPolicies: (namespace) => byNamespace.get(namespace) ?? [],
    pods: () => undefined,
    namespaces: () => namespaceList,
  };
}
