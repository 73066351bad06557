/**
 * The view an object is judged in: the cluster with the object under review in place of
 * its stored version (a CREATE adds it, an UPDATE replaces it), or without it (a DELETE).
 * The webhook and `check` both judge through this, so a policy is weighed against the
 * same set of policies in either. Pure; each answer is computed once per view.
 */
import type { NetworkPolicyModel } from '../core/kubernetes/network-policy.js';
import { derivedFrom } from '../core/netpol/policy-lists.js';
import type { Subject } from '../core/kubernetes/subject.js';
import type { ClusterView, LabelledEntry } from '../rules/types.js';

type Change = 'place' | 'remove';

function replaced<T extends { readonly name: string }>(stored: readonly T[] | undefined, name: string, entry: T | undefined): readonly T[] | undefined {
  if (stored === undefined) return undefined;
  // Already in place (`check` judges the very model its view holds): the list stays the same, and so do its caches.
  if (entry !== undefined && stored.includes(entry)) return stored;
  const rest = stored.filter((candidate) => candidate.name !== name);
  return derivedFrom(entry === undefined ? rest : [...rest, entry], stored);
}

/** The answer for one namespace, computed on first use; other namespaces pass through. */
function onlyIn<T>(namespace: string, read: (namespace: string) => T, change: () => T): (namespace: string) => T {
  let changed: { value: T } | undefined;
  return (asked) => (asked === namespace ? (changed ??= { value: change() }).value : read(asked));
}

function policyOverlay(view: ClusterView, subject: Extract<Subject, { judgedAs: 'NetworkPolicy' }>, change: Change): ClusterView {
  const policy = subject.networkPolicy;
  const placed: NetworkPolicyModel | undefined = change === 'place' ? policy : undefined;
  const policies = onlyIn(policy.namespace, (namespace) => view.networkPolicies(namespace), () => replaced(view.networkPolicies(policy.namespace), policy.name, placed));
  return { networkPolicies: policies, pods: (namespace) => view.pods(namespace), namespaces: () => view.namespaces() };
}

function podOverlay(view: ClusterView, subject: Subject, change: Change): ClusterView {
  const entry: LabelledEntry | undefined = change === 'place' ? { name: subject.name, labels: subject.labels } : undefined;
  const pods = onlyIn(subject.namespace, (namespace) => view.pods(namespace), () => replaced(view.pods(subject.namespace), subject.name, entry));
  return { networkPolicies: (namespace) => view.networkPolicies(namespace), pods, namespaces: () => view.namespaces() };
}

function namespaceOverlay(view: ClusterView, subject: Subject, change: Change): ClusterView {
  const entry: LabelledEntry | undefined = change === 'place' ? { name: subject.name, labels: subject.labels } : undefined;
  let namespaces: readonly LabelledEntry[] | undefined | null = null;
  return {
    networkPolicies: (namespace) => view.networkPolicies(namespace),
    pods: (namespace) => view.pods(namespace),
    namespaces: () => (namespaces === null ? (namespaces = replaced(view.namespaces(), subject.name, entry)) : namespaces),
  };
}

function overlay(view: ClusterView, subject: Subject, change: Change): ClusterView {
  switch (subject.judgedAs) {
    case 'NetworkPolicy':
      return policyOverlay(view, subject, change);
    case 'PodTemplate':
      // Only a Pod is a pod; a workload's template stands for pods not yet created.
      return subject.kind === 'Pod' ? podOverlay(view, subject, change) : view;
    case 'Namespace':
      return namespaceOverlay(view, subject, change);
    case 'Other':
      return view;
  }
}

/** The view with `subject` in place of its stored version. */
export function viewWith(view: ClusterView, subject: Subject): ClusterView {
  return overlay(view, subject, 'place');
}

/** The view once `subject` is deleted. */
export function viewWithout(view: ClusterView, subject: Subject): ClusterView {
  return overlay(view, subject, 'remove');
}
