/**
 * A kubeconfig read by @kubernetes/client-node: only for what kubeconfig.ts leaves to it,
 * credential plugins (exec, auth-provider) and proxies. Loaded only then: importing it
 * costs about 68 MiB.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { GuardrailsError } from '../errors.js';
import { describeSource, type CredentialSource } from './credentials.js';
import type { ClusterConnection } from './kubeconfig.js';

function loadKubeConfig(source: CredentialSource): KubeConfig {
  const config = new KubeConfig();
  try {
    if (source.kind === 'in-cluster') {
      config.loadFromCluster();
    } else {
      const [first, ...rest] = source.paths;
      config.loadFromFile(first as string);
      for (const path of rest) {
        const more = new KubeConfig();
        more.loadFromFile(path);
        config.mergeConfig(more, true);
      }
    }
  } catch (error: unknown) {
    throw new GuardrailsError('KG_CLUSTER_CONFIG', `cannot read the cluster credentials (${describeSource(source)}): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return config;
}

export function clientNodeConnection(source: CredentialSource): ClusterConnection {
  const config = loadKubeConfig(source);
  const cluster = config.getCurrentCluster();
  if (cluster === null) throw new GuardrailsError('KG_CLUSTER_CONFIG', `no current cluster in ${describeSource(source)}`);
  const proxied = (cluster.proxyUrl ?? '') !== '';
  return {
    server: cluster.server.replace(/\/+$/, ''),
    apply: async (options) => {
      await config.applyToHTTPSOptions(options);
      // Its agent is new for every request: kept only where it is the proxy's; otherwise the caller's kept connections serve.
      if (!proxied) delete options.agent;
    },
  };
}
