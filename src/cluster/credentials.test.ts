/** Where the cluster view finds its credentials: as kubectl does, and as the environment says. */
import { describe, expect, it } from 'vitest';
import { loadConfig, type ServeConfig } from '../config.js';
import { credentialSource } from './credentials.js';

const output = { out: () => undefined, err: () => undefined };

function serveConfig(env: Record<string, string | undefined>): ServeConfig {
  const config = loadConfig(output, '0.0.0', ['serve'], env);
  if (config.command !== 'serve') throw new Error('not serve');
  return config;
}

describe('the cluster view’s credentials', () => {
  const exists = (paths: readonly string[]) => (path: string) => paths.includes(path);

  it('takes KUBECONFIG first, every file of it in order, skipping empty entries', () => {
    const config = serveConfig({ KUBECONFIG: '/a/config::/b/config', HOME: '/home/u', KUBERNETES_SERVICE_HOST: '10.0.0.1' });
    expect(credentialSource(config.clusterView, exists(['/home/u/.kube/config']))).toEqual({ kind: 'kubeconfig', paths: ['/a/config', '/b/config'] });
  });

  it('then ~/.kube/config when it exists, then the in-cluster ServiceAccount', () => {
    const config = serveConfig({ HOME: '/home/u', KUBERNETES_SERVICE_HOST: '10.0.0.1' });
    expect(credentialSource(config.clusterView, exists(['/home/u/.kube/config']))).toEqual({ kind: 'kubeconfig', paths: ['/home/u/.kube/config'] });
    expect(credentialSource(config.clusterView, exists([]))).toEqual({ kind: 'in-cluster' });
  });

  it('finds none on a laptop without any, so `auto` runs without a view', () => {
    const config = serveConfig({ HOME: '/home/u' });
    expect(config.clusterView.mode).toBe('auto');
    expect(credentialSource(config.clusterView, exists([]))).toBeUndefined();
  });

  it('reads CLUSTER_VIEW and CLUSTER_VIEW_STALE_SECONDS once, and refuses what it cannot read', () => {
    expect(serveConfig({ CLUSTER_VIEW: 'off' }).clusterView.mode).toBe('off');
    expect(serveConfig({ CLUSTER_VIEW_STALE_SECONDS: '90' }).clusterView.staleAfterMs).toBe(90_000);
    expect(serveConfig({}).clusterView.staleAfterMs).toBe(60_000);
    expect(() => serveConfig({ CLUSTER_VIEW: 'yes' })).toThrow(/CLUSTER_VIEW must be one of auto, on, off/);
    expect(() => serveConfig({ CLUSTER_VIEW_STALE_SECONDS: '-1' })).toThrow(/CLUSTER_VIEW_STALE_SECONDS/);
    expect(Object.isFrozen(serveConfig({}).clusterView)).toBe(true);
  });
});
