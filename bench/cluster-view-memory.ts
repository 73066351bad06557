/**
 * Run as its own process (`node --expose-gc`): what the cluster view holds for 10,000
 * Pods, 2,000 NetworkPolicies and 500 Namespaces, shaped as the API server lists them
 * (managed fields, specs, status). The objects are fed to the same ClusterState the
 * informers feed, then dropped; the heap that remains is the view's cost. Prints JSON.
 */
import { ClusterState } from '../src/cluster/cluster-state.js';
import { Random } from './random.js';
import { networkPolicy, pod } from './reviews.js';

type Json = Record<string, unknown>;

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

function settle(): { heapMiB: number; rssMiB: number } {
  for (let i = 0; i < 4; i++) gc?.();
  const usage = process.memoryUsage();
  return { heapMiB: usage.heapUsed / 1048576, rssMiB: usage.rss / 1048576 };
}

function inNamespace(object: Json, namespace: string, name: string): Json {
  const metadata: Json = { ...(object.metadata as Json), namespace, name };
  const labels = { ...(metadata.labels as Json), team: namespace };
  return { ...object, metadata: { ...metadata, labels }, status: { phase: 'Running', podIP: '10.1.2.3', hostIP: '192.168.0.10', startTime: '2026-11-01T10:00:00Z' } };
}

/** One page of a list as the informer receives it, to be parsed and then freed. */
function page(objects: readonly Json[]): Json[] {
  return JSON.parse(JSON.stringify(objects)) as Json[];
}

const PODS = 10_000;
const POLICIES = 2_000;
const NAMESPACES = 500;
const random = new Random(11);
const namespaceNames = Array.from({ length: NAMESPACES }, (_, i) => `team-${i}`);
const idle = settle();
const state = new ClusterState();
const namespaces = namespaceNames.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name, team: name }, managedFields: [{ manager: 'kubectl', operation: 'Update' }] }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } }));
state.replace('namespaces', page(namespaces));
const pods: Json[] = [];
for (let i = 0; i < PODS; i += 500) {
  const batch = Array.from({ length: 500 }, (_, j) => inNamespace(pod(random, 'allowed', i + j), namespaceNames[(i + j) % NAMESPACES] as string, `pod-${i + j}`));
  pods.push(...page(batch));
}
state.replace('pods', pods);
pods.length = 0;
const policies = Array.from({ length: POLICIES }, (_, i) => inNamespace(networkPolicy(random, 'allowed', 3, i), namespaceNames[i % NAMESPACES] as string, `np-${i}`));
state.replace('networkpolicies', page(policies));
policies.length = 0;
const held = settle();
process.stdout.write(
  `${JSON.stringify({
    pods: state.count('pods'),
    networkPolicies: state.count('networkpolicies'),
    namespaces: state.count('namespaces'),
    idleHeapMiB: idle.heapMiB,
    heldHeapMiB: held.heapMiB,
    idleRssMiB: idle.rssMiB,
    heldRssMiB: held.rssMiB,
  })}\n`,
);
