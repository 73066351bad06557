/**
 * What the informers hold: NetworkPolicies (as models, read once when they arrive),
 * Namespaces and Pods (name and labels only, to keep memory small). Fed with lists and
 * watch events; read as a ClusterView, whose answers are undefined for a resource that is
 * not usable (not yet synced, or lost for too long). No I/O: the informers drive it.
 */
import { NAMESPACE_NAME_LABEL } from '../core/kubernetes/kinds.js';
import type { Labels } from '../core/kubernetes/label-selector.js';
import { readNetworkPolicy, type ModelCache, type NetworkPolicyModel } from '../core/kubernetes/network-policy.js';
import { field, recordOf, stringMapOf, stringOf, type JsonRecord } from '../core/kubernetes/shape.js';
import type { ClusterView, LabelledEntry } from '../rules/types.js';

export const WATCHED_RESOURCES = ['networkpolicies', 'namespaces', 'pods'] as const;
export type WatchedResource = (typeof WATCHED_RESOURCES)[number];

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface Identity {
  readonly namespace: string;
  readonly name: string;
}

function identityOf(object: JsonRecord): Identity | undefined {
  const metadata = recordOf(field(object, 'metadata'));
  const name = stringOf(field(metadata, 'name'));
  if (name === undefined || name === '') return undefined;
  return { namespace: stringOf(field(metadata, 'namespace')) ?? '', name };
}

function labelsOf(object: JsonRecord): Labels {
  return stringMapOf(field(recordOf(field(object, 'metadata')), 'labels'));
}

/** Entries of one namespace, with the list rules read built once per change. */
class NamespaceBucket<T> {
  private readonly entries = new Map<string, T>();
  private list: readonly T[] | undefined;

  set(name: string, value: T): void {
    this.entries.set(name, value);
    this.list = undefined;
  }

  delete(name: string): void {
    if (this.entries.delete(name)) this.list = undefined;
  }

  get size(): number {
    return this.entries.size;
  }

  values(): readonly T[] {
    return (this.list ??= [...this.entries.values()]);
  }
}

/** A namespaced resource, by namespace then name. */
class NamespacedStore<T> {
  private readonly byNamespace = new Map<string, NamespaceBucket<T>>();
  private total = 0;

  constructor(private readonly read: (object: JsonRecord, identity: Identity) => T) {}

  replace(objects: readonly JsonRecord[]): void {
    this.byNamespace.clear();
    this.total = 0;
    for (const object of objects) this.apply('ADDED', object);
  }

  apply(type: WatchEventType, object: JsonRecord): void {
    const identity = identityOf(object);
    if (identity === undefined) return;
    let bucket = this.byNamespace.get(identity.namespace);
    if (type === 'DELETED') {
      if (bucket === undefined) return;
      const before = bucket.size;
      bucket.delete(identity.name);
      this.total += bucket.size - before;
      if (bucket.size === 0) this.byNamespace.delete(identity.namespace);
      return;
    }
    if (bucket === undefined) this.byNamespace.set(identity.namespace, (bucket = new NamespaceBucket<T>()));
    const before = bucket.size;
    bucket.set(identity.name, this.read(object, identity));
    this.total += bucket.size - before;
  }

  list(namespace: string): readonly T[] {
    return this.byNamespace.get(namespace)?.values() ?? [];
  }

  get size(): number {
    return this.total;
  }
}

export class ClusterState {
  /** `models`: shared with an evaluation of the same objects (an audit), so that each policy is read once and judged as the view's own model. */
  constructor(private readonly models?: ModelCache) {}

  private readonly policies = new NamespacedStore<NetworkPolicyModel>((object, identity) => readNetworkPolicy(object, identity.namespace, this.models));
  private readonly pods = new NamespacedStore<LabelledEntry>((object, identity) => ({ name: identity.name, labels: labelsOf(object) }));
  private readonly namespaces = new NamespacedStore<LabelledEntry>((object, identity) => ({
    name: identity.name,
    // Set by the API server on every namespace; kept even if a list omits it.
    labels: { ...labelsOf(object), [NAMESPACE_NAME_LABEL]: identity.name },
  }));

  private store(resource: WatchedResource): NamespacedStore<unknown> {
    switch (resource) {
      case 'networkpolicies':
        return this.policies;
      case 'pods':
        return this.pods;
      case 'namespaces':
        return this.namespaces;
    }
  }

  /** A complete list: replaces what was held. */
  replace(resource: WatchedResource, objects: readonly JsonRecord[]): void {
    this.store(resource).replace(objects);
  }

  apply(resource: WatchedResource, type: WatchEventType, object: JsonRecord): void {
    this.store(resource).apply(type, object);
  }

  count(resource: WatchedResource): number {
    return this.store(resource).size;
  }

  /** The view, answering only for resources `usable` says may be trusted now. */
  view(usable: (resource: WatchedResource) => boolean): ClusterView {
    return {
      networkPolicies: (namespace) => (usable('networkpolicies') ? this.policies.list(namespace) : undefined),
      pods: (namespace) => (usable('pods') ? this.pods.list(namespace) : undefined),
      namespaces: () => (usable('namespaces') ? this.namespaces.list('') : undefined),
    };
  }
}
