/**
 * The webhook's live view of the cluster: informers for NetworkPolicies, Namespaces and
 * Pods feeding one ClusterState. A resource is trusted once its first list is in and as
 * long as its watch has not been lost for longer than `staleAfterMs`; past that its
 * answers are unknown, so the rules that need them skip (never a denial on a stale
 * picture) and the review says so in a warning.
 */
import type { Logger } from '../logger.js';
import type { ClusterView } from '../rules/types.js';
import { ClusterState, WATCHED_RESOURCES, type WatchedResource } from './cluster-state.js';
import { Informer, type InformerHealth } from './informer.js';
import type { KubeApi } from './kube-api.js';

export interface ViewHealth {
  readonly resources: Readonly<Record<WatchedResource, InformerHealth>>;
  /** Every resource is usable now. */
  readonly usable: boolean;
}

export interface LiveView {
  readonly view: ClusterView;
  /** Resolves when every informer has its first list. */
  readonly synced: () => Promise<void>;
  readonly health: () => ViewHealth;
  /** Why the view cannot be trusted now, for a review's warning; undefined when it can. */
  readonly staleness: () => string | undefined;
  readonly stop: () => Promise<void>;
}

export interface LiveViewDeps {
  readonly api: KubeApi;
  readonly logger: Logger;
  readonly now: () => number;
  readonly staleAfterMs: number;
}

function usableNow(health: InformerHealth, now: number, staleAfterMs: number): boolean {
  return health.synced && (health.lostSince === undefined || now - health.lostSince < staleAfterMs);
}

export function startLiveView(deps: LiveViewDeps): LiveView {
  const state = new ClusterState();
  const informers = WATCHED_RESOURCES.map((resource) => new Informer(resource, { api: deps.api, state, logger: deps.logger, now: deps.now }));
  const byResource = new Map(informers.map((informer) => [informer.resource, informer]));
  const usable = (resource: WatchedResource): boolean => {
    const informer = byResource.get(resource);
    return informer !== undefined && usableNow(informer.health(), deps.now(), deps.staleAfterMs);
  };
  for (const informer of informers) informer.start();

  const health = (): ViewHealth => {
    const resources = Object.fromEntries(informers.map((informer) => [informer.resource, informer.health()])) as Record<WatchedResource, InformerHealth>;
    return { resources, usable: WATCHED_RESOURCES.every(usable) };
  };

  const staleness = (): string | undefined => {
    const now = deps.now();
    const unusable = informers.filter((informer) => !usable(informer.resource));
    if (unusable.length === 0) return undefined;
    const parts = unusable.map((informer) => {
      const { synced, lostSince } = informer.health();
      if (!synced) return `${informer.resource} not yet listed`;
      return `${informer.resource} lost ${Math.round((now - (lostSince ?? now)) / 1000)} s ago`;
    });
    return parts.join(', ');
  };

  return {
    view: state.view(usable),
    synced: async () => {
      await Promise.all(informers.map((informer) => informer.synced$()));
    },
    health,
    staleness,
    stop: async () => {
      await Promise.all(informers.map((informer) => informer.stop()));
    },
  };
}
