/**
 * Where the cluster's credentials are, found as kubectl finds them: KUBECONFIG, else
 * ~/.kube/config, else the pod's ServiceAccount. Apart from the client, so that deciding
 * whether there is a cluster to watch loads nothing heavy.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterViewConfig } from '../config.js';

export type CredentialSource = { readonly kind: 'kubeconfig'; readonly paths: readonly string[] } | { readonly kind: 'in-cluster' };

/** Where kubectl would find the cluster: KUBECONFIG, else ~/.kube/config, else the pod's ServiceAccount. */
export function credentialSource(config: ClusterViewConfig, exists: (path: string) => boolean = existsSync): CredentialSource | undefined {
  if (config.kubeconfigPaths.length > 0) return { kind: 'kubeconfig', paths: config.kubeconfigPaths };
  if (config.home !== undefined) {
    const path = join(config.home, '.kube', 'config');
    if (exists(path)) return { kind: 'kubeconfig', paths: [path] };
  }
  return config.inCluster ? { kind: 'in-cluster' } : undefined;
}

export function describeSource(source: CredentialSource): string {
  return source.kind === 'in-cluster' ? 'the in-cluster ServiceAccount' : source.paths.join(', ');
}

