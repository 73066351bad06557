/** What the e2e tests do to the cluster, through the real kubectl. */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { kubectl, type KubectlEnv, type KubectlResult } from './kubectl.js';
import { WEBHOOK_NAME } from './manifests.js';

export const DENIED = `admission webhook "${WEBHOOK_NAME}" denied the request`;

export interface ClusterHelpers {
  /** Creates a namespace with a random suffix and returns its name. */
  readonly namespace: (prefix?: string) => Promise<string>;
  readonly apply: (ns: string, yaml: string, ...extra: string[]) => Promise<KubectlResult>;
  readonly exists: (ns: string, resource: string, name: string) => Promise<boolean>;
  /** Retries `attempt` until `done` holds: controllers, configuration and policy changes take a moment. */
  readonly eventually: (attempt: () => Promise<KubectlResult>, done: (result: KubectlResult) => boolean, timeoutMs?: number) => Promise<KubectlResult>;
}

export function clusterHelpers(kube: KubectlEnv): ClusterHelpers {
  return {
    namespace: async (prefix = 't') => {
      const name = `${prefix}-${randomBytes(4).toString('hex')}`;
      const created = await kubectl(kube, ['create', 'namespace', name]);
      expect(created.code, created.stderr).toBe(0);
      return name;
    },
    apply: (ns, yaml, ...extra) => kubectl(kube, ['apply', '-n', ns, ...extra, '-f', '-'], yaml),
    exists: async (ns, resource, name) => (await kubectl(kube, ['get', '-n', ns, resource, name, '-o', 'name'])).code === 0,
    eventually: async (attempt, done, timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      let last = await attempt();
      while (!done(last) && Date.now() < deadline) {
        await sleep(300);
        last = await attempt();
      }
      return last;
    },
  };
}
