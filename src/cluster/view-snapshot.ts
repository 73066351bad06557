/**
 * What a review worker needs of the cluster view, as plain data that can cross to a
 * thread: one namespace's NetworkPolicies and Pods, and the namespaces that exist. Every
 * rule asks only about the namespace of the object under review (a Namespace's own name
 * for a Namespace), so the worker judges with the same answers as the event loop.
 */
import type { NetworkPolicyModel } from '../core/kubernetes/network-policy.js';
import type { ClusterView, LabelledEntry } from '../rules/types.js';

export interface ViewSnapshot {
  readonly namespace: string;
  readonly networkPolicies: readonly NetworkPolicyModel[] | undefined;
  readonly pods: readonly LabelledEntry[] | undefined;
  readonly namespaces: readonly LabelledEntry[] | undefined;
}

export function snapshotOf(view: ClusterView, namespace: string): ViewSnapshot {
  return { namespace, networkPolicies: view.networkPolicies(namespace), pods: view.pods(namespace), namespaces: view.namespaces() };
}

/** The view a snapshot stands for: its namespace as it was, anything else unknown. */
export function snapshotView(snapshot: ViewSnapshot): ClusterView {
  return {
    networkPolicies: (namespace) => (namespace === snapshot.namespace ? snapshot.networkPolicies : undefined),
    pods: (namespace) => (namespace === snapshot.namespace ? snapshot.pods : undefined),
    namespaces: () => snapshot.namespaces,
  };
}
