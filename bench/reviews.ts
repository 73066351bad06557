/**
 * Realistic AdmissionReviews as kube-apiserver sends them (defaulted objects, managed
 * fields, the last-applied annotation): NetworkPolicies of 1–50 rules with selectors and
 * ipBlocks, and Pods with several containers. A fixed mix of allowed, warned and denied.
 */
import { Random } from './random.js';

type Json = Record<string, unknown>;

export const TEAMS = ['payments', 'search', 'checkout', 'identity', 'catalog', 'ledger'];
const APPS = ['api', 'web', 'worker', 'cache', 'db', 'gateway'];

function metadata(random: Random, name: string, namespace: string, labels: Json): Json {
  return {
    name,
    namespace,
    uid: `${random.int(10_000_000, 99_999_999)}-0000-4000-8000-000000000000`,
    resourceVersion: String(random.int(1000, 999_999)),
    creationTimestamp: '2026-11-01T10:00:00Z',
    labels,
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ metadata: { name, namespace, labels } }) },
    managedFields: [{ manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'v1', time: '2026-11-01T10:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': {} }, 'f:spec': {} } }],
  };
}

function privateBlock(random: Random): Json {
  const prefix = `10.${random.int(0, 255)}.${random.int(0, 255)}`;
  return random.chance(0.5) ? { cidr: `${prefix}.0/24` } : { cidr: `${prefix}.0/24`, except: [`${prefix}.128/28`] };
}

function peer(random: Random): Json {
  const kind = random.int(0, 2);
  if (kind === 0) return { podSelector: { matchLabels: { app: random.pick(APPS) } } };
  if (kind === 1) {
    return {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': random.pick(TEAMS) } },
      podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: [random.pick(APPS), random.pick(APPS)] }] },
    };
  }
  return { ipBlock: privateBlock(random) };
}

function ingressRule(random: Random): Json {
  return {
    from: Array.from({ length: random.int(1, 3) }, () => peer(random)),
    ports: [{ protocol: 'TCP', port: random.pick([80, 443, 8080, 9090, 5432]) }],
  };
}

export type Outcome = 'allowed' | 'warned' | 'denied';

export function networkPolicy(random: Random, outcome: Outcome, rules: number, index: number): Json {
  const namespace = random.pick(TEAMS);
  const ingress = Array.from({ length: rules }, () => ingressRule(random));
  if (outcome === 'denied') ingress.push({ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 443 }] });
  const egress =
    outcome === 'warned'
      ? [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }]
      : [];
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: metadata(random, `np-${index}`, namespace, { app: random.pick(APPS), team: namespace }),
    spec: {
      podSelector: { matchLabels: { app: random.pick(APPS) } },
      policyTypes: egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'],
      ingress,
      ...(egress.length > 0 ? { egress } : {}),
    },
  };
}

function container(random: Random, name: string, outcome: Outcome): Json {
  return {
    name,
    image: `registry.example.com/${name}:${random.int(1, 9)}.${random.int(0, 20)}`,
    imagePullPolicy: 'IfNotPresent',
    ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP', ...(outcome === 'warned' ? { hostPort: 8080 } : {}) }],
    env: Array.from({ length: random.int(3, 8) }, (_, i) => ({ name: `SETTING_${i}`, value: `value-${random.int(0, 1e6)}` })),
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
    volumeMounts: [{ name: 'config', mountPath: '/etc/app' }],
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    readinessProbe: { httpGet: { path: '/ready', port: 8080, scheme: 'HTTP' }, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
  };
}

export function pod(random: Random, outcome: Outcome, index: number): Json {
  const namespace = random.pick(TEAMS);
  const app = random.pick(APPS);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: metadata(random, `${app}-${index}`, namespace, { app, team: namespace, 'pod-template-hash': String(random.int(1e8, 9e8)) }),
    spec: {
      ...(outcome === 'denied' ? { hostNetwork: true } : {}),
      containers: Array.from({ length: random.int(2, 4) }, (_, i) => container(random, `${app}-c${i}`, outcome)),
      initContainers: [container(random, `${app}-init`, 'allowed')],
      volumes: [{ name: 'config', configMap: { name: `${app}-config`, defaultMode: 420 } }],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      schedulerName: 'default-scheduler',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    },
  };
}

export function review(object: Json, index: number): Json {
  const isPod = object.kind === 'Pod';
  const meta = object.metadata as Json;
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
      kind: isPod ? { group: '', version: 'v1', kind: 'Pod' } : { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy' },
      resource: isPod ? { group: '', version: 'v1', resource: 'pods' } : { group: 'networking.k8s.io', version: 'v1', resource: 'networkpolicies' },
      requestKind: isPod ? { group: '', version: 'v1', kind: 'Pod' } : { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy' },
      name: meta.name,
      namespace: meta.namespace,
      operation: 'CREATE',
      userInfo: { username: 'system:serviceaccount:ci:deployer', uid: 'deadbeef', groups: ['system:serviceaccounts', 'system:serviceaccounts:ci', 'system:authenticated'] },
      object,
      oldObject: null,
      dryRun: false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions', fieldManager: 'kubectl-client-side-apply', fieldValidation: 'Strict' },
    },
  };
}

const OUTCOMES: readonly Outcome[] = ['allowed', 'allowed', 'allowed', 'allowed', 'allowed', 'allowed', 'warned', 'warned', 'denied', 'denied'];

/** Half NetworkPolicies (most with a few rules, some up to 50), half Pods; 60% allowed, 20% warned, 20% denied. */
export function reviewCorpus(count: number, seed = 42): string[] {
  const random = new Random(seed);
  return Array.from({ length: count }, (_, i) => {
    const outcome = OUTCOMES[i % OUTCOMES.length] ?? 'allowed';
    const rules = random.chance(0.9) ? random.int(1, 5) : random.int(6, 50);
    const object = i % 2 === 0 ? networkPolicy(random, outcome, rules, i) : pod(random, outcome, i);
    return JSON.stringify(review(object, i));
  });
}
