/**
 * The serving targets with a live cluster view: a real etcd and kube-apiserver (the
 * end-to-end suite's binaries, when built) holding 200 NetworkPolicies in each namespace
 * the review corpus uses, the webhook watching them with `CLUSTER_VIEW=on`, and the same
 * open loop as the main benchmark. Skipped, saying so, where the binaries are not built.
 */
import { existsSync, readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { startControlPlane } from '../test/e2e/control-plane.js';
import { kubectl } from '../test/e2e/kubectl.js';
import { closedLoop, openLoop, type OpenLoopResult } from './load.js';
import { Random } from './random.js';
import { networkPolicy, TEAMS } from './reviews.js';
import { startWebhook, type Tls } from './servers.js';

export const POLICIES_PER_NAMESPACE = 200;

function binaries(): string | undefined {
  const cache = process.env.K8S_BIN_CACHE ?? join(homedir(), '.cache', 'kube-guardrails-e2e');
  if (!existsSync(cache)) return undefined;
  const versions = readdirSync(cache).filter((name) => name.startsWith('v1.')).sort();
  const latest = versions.at(-1);
  if (latest === undefined) return undefined;
  const dir = join(cache, latest);
  return ['kube-apiserver', 'etcd', 'kubectl', 'kube-controller-manager'].every((name) => existsSync(join(dir, name))) ? dir : undefined;
}

/** The namespaces and their policies, as one stream for `kubectl apply`. */
function clusterObjects(): string {
  const random = new Random(21);
  const documents: string[] = [];
  for (const team of TEAMS) {
    documents.push(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: team } }));
    for (let i = 0; i < POLICIES_PER_NAMESPACE; i++) {
      const policy = networkPolicy(random, 'allowed', 3, i);
      const metadata = policy.metadata as Record<string, unknown>;
      documents.push(JSON.stringify({ ...policy, metadata: { name: `view-${team}-${i}`, namespace: team, labels: metadata.labels } }));
    }
  }
  return documents.join('\n');
}

export interface ViewLoadResult {
  readonly policies: number;
  readonly open: OpenLoopResult;
  readonly peakRssMiB: number;
}

export async function viewUnderLoad(root: string, dir: string, tls: Tls, load: { bodies: readonly string[]; rate: number; durationSeconds: number }): Promise<ViewLoadResult | undefined> {
  const bin = binaries();
  if (bin === undefined) return undefined;
  const planeDir = join(dir, 'plane');
  await mkdir(planeDir, { recursive: true });
  const plane = await startControlPlane(bin, planeDir);
  try {
    const created = await kubectl({ kubectl: join(bin, 'kubectl'), kubeconfig: plane.kubeconfig }, ['apply', '-f', '-'], clusterObjects());
    if (created.code !== 0) throw new Error(`cannot load the cluster: ${created.stderr}`);
    const webhook = await startWebhook(root, tls, { count: 0 }, { KUBECONFIG: plane.kubeconfig, CLUSTER_VIEW: 'on' });
    try {
      await closedLoop({ url: webhook.url, bodies: load.bodies, connections: 32, durationSeconds: 3 });
      const open = await openLoop(webhook.url, load.bodies, load.rate, load.durationSeconds);
      return { policies: TEAMS.length * POLICIES_PER_NAMESPACE, open, peakRssMiB: webhook.peakRssMiB() };
    } finally {
      await webhook.stop();
    }
  } finally {
    await plane.stop();
  }
}
