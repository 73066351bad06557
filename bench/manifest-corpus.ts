/**
 * A repository's worth of manifests, as teams keep them, for `check` against the peers:
 * 35% NetworkPolicies (1–4 ingress rules with pod, namespace and ipBlock peers, DNS and
 * database egress), 30% Deployments, 20% Pods, 15% CronJobs, 40–80 lines each. About 10%
 * of the policies admit the world (plainly or evasively spelled), 5% of the workloads use
 * the host network, 5% lack the `app` label, 3% declare a hostPort. One namespace per 250
 * objects, half of them with a default-deny policy, so the cross-object work per object
 * stays the same as the corpus grows. Seeded: every run writes the same files.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Random } from './random.js';

const WORLD = ['0.0.0.0/0', '::/0', '000.0.0.0/00', '1.2.3.4/0', '::ffff:0.0.0.0/96'];

interface Flags {
  readonly hostNetwork: boolean;
  readonly noAppLabel: boolean;
  readonly hostPort: boolean;
}

class Corpus {
  private readonly random: Random;
  private readonly namespaces: number;

  constructor(objects: number, seed: number) {
    this.random = new Random(seed);
    this.namespaces = Math.max(1, Math.floor(objects / 250));
  }

  namespaceOf(i: number): string {
    return `team-${String(i % this.namespaces).padStart(4, '0')}`;
  }

  private peer(i: number, r: number): string[] {
    const kind = this.random.pick(['pod', 'ns', 'ip', 'mixed']);
    const lines = ['    - from:'];
    if (kind === 'pod' || kind === 'mixed') lines.push('        - podSelector:', '            matchLabels:', `              app: frontend-${(i + r) % 31}`);
    if (kind === 'ns' || kind === 'mixed') {
      lines.push(
        '        - namespaceSelector:',
        '            matchLabels:',
        '              kubernetes.io/metadata.name: ingress-nginx',
        '          podSelector:',
        '            matchExpressions:',
        '              - key: app.kubernetes.io/name',
        '                operator: In',
        '                values: [ingress-nginx, haproxy]',
      );
    }
    if (kind === 'ip') {
      const a = (i + r) % 250;
      lines.push('        - ipBlock:', `            cidr: 10.${a}.0.0/16`, '            except:', `              - 10.${a}.1.0/24`, `              - 10.${a}.2.0/24`);
    }
    lines.push('      ports:', '        - protocol: TCP', `          port: ${8000 + r}`);
    return lines;
  }

  networkPolicy(i: number): string[] {
    const lines = [
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy',
      'metadata:',
      `  name: np-${i}`,
      `  namespace: ${this.namespaceOf(i)}`,
      '  labels:',
      `    app.kubernetes.io/part-of: shop-${i % 13}`,
      `    team: t${i % 7}`,
      '  annotations:',
      `    owner: team${i % 7}@example.com`,
      'spec:',
      '  podSelector:',
      '    matchLabels:',
      `      app: svc-${i % 97}`,
      '      tier: backend',
      '  policyTypes:',
      '    - Ingress',
      '    - Egress',
      '  ingress:',
    ];
    const world = this.random.chance(0.1);
    const rules = this.random.int(1, 4);
    for (let r = 0; r < rules; r++) lines.push(...this.peer(i, r));
    if (world) lines.push('    - from:', '        - ipBlock:', `            cidr: "${this.random.pick(WORLD)}"`, '      ports:', '        - protocol: TCP', '          port: 443');
    lines.push(
      '  egress:',
      '    - to:',
      '        - ipBlock:',
      `            cidr: 10.0.${i % 250}.5/32`,
      '      ports:',
      '        - protocol: TCP',
      '          port: 5432',
      '    - to:',
      '        - namespaceSelector:',
      '            matchLabels:',
      '              kubernetes.io/metadata.name: kube-system',
      '          podSelector:',
      '            matchLabels:',
      '              k8s-app: kube-dns',
      '      ports:',
      '        - protocol: UDP',
      '          port: 53',
      '        - protocol: TCP',
      '          port: 53',
    );
    return lines;
  }

  flags(): Flags {
    return { hostNetwork: this.random.chance(0.05), noAppLabel: this.random.chance(0.05), hostPort: this.random.chance(0.03) };
  }
}

function defaultDeny(namespace: string): string[] {
  return ['apiVersion: networking.k8s.io/v1', 'kind: NetworkPolicy', 'metadata:', '  name: default-deny', `  namespace: ${namespace}`, 'spec:', '  podSelector: {}', '  policyTypes:', '    - Ingress'];
}

function container(name: string, i: number, indent: number, hostPort: boolean): string[] {
  const p = ' '.repeat(indent);
  return [
    `${p}- name: ${name}`,
    `${p}  image: registry.example.com/shop/${name}:1.${i % 40}.${i % 7}`,
    `${p}  imagePullPolicy: IfNotPresent`,
    `${p}  args: ["--port=8080", "--log-level=info"]`,
    `${p}  env:`,
    `${p}    - name: LOG_FORMAT`,
    `${p}      value: json`,
    `${p}    - name: DB_HOST`,
    `${p}      value: db-${i % 17}.data.svc`,
    `${p}  ports:`,
    `${p}    - name: http`,
    `${p}      containerPort: 8080`,
    `${p}      protocol: TCP`,
    ...(hostPort ? [`${p}      hostPort: 8080`] : []),
    `${p}  readinessProbe:`,
    `${p}    httpGet:`,
    `${p}      path: /ready`,
    `${p}      port: http`,
    `${p}  livenessProbe:`,
    `${p}    httpGet:`,
    `${p}      path: /healthz`,
    `${p}      port: http`,
    `${p}  resources:`,
    `${p}    requests:`,
    `${p}      cpu: 100m`,
    `${p}      memory: 128Mi`,
    `${p}    limits:`,
    `${p}      memory: 256Mi`,
    `${p}  securityContext:`,
    `${p}    allowPrivilegeEscalation: false`,
    `${p}    runAsNonRoot: true`,
  ];
}

function podSpec(i: number, indent: number, flags: Flags): string[] {
  const p = ' '.repeat(indent);
  return [...(flags.hostNetwork ? [`${p}hostNetwork: true`] : []), `${p}serviceAccountName: default`, `${p}containers:`, ...container(`app${i % 5}`, i, indent + 2, flags.hostPort)];
}

function templateLabels(i: number, indent: number, flags: Flags): string[] {
  const p = ' '.repeat(indent);
  return [`${p}labels:`, ...(flags.noAppLabel ? [] : [`${p}  app: svc-${i % 97}`]), `${p}  component: c${i}`, `${p}  tier: backend`];
}

function workload(corpus: Corpus, i: number, flags: Flags, roll: number): string[] {
  const namespace = corpus.namespaceOf(i);
  if (roll < 0.65) {
    return [
      'apiVersion: apps/v1', 'kind: Deployment', 'metadata:', `  name: dep-${i}`, `  namespace: ${namespace}`, '  labels:', `    app.kubernetes.io/part-of: shop-${i % 13}`,
      'spec:', `  replicas: ${1 + (i % 3)}`, '  selector:', '    matchLabels:', `      component: c${i}`, '  template:', '    metadata:',
      ...templateLabels(i, 6, flags), '    spec:', ...podSpec(i, 6, flags),
    ];
  }
  if (roll < 0.85) return ['apiVersion: v1', 'kind: Pod', 'metadata:', `  name: pod-${i}`, `  namespace: ${namespace}`, ...templateLabels(i, 2, flags), 'spec:', ...podSpec(i, 2, flags)];
  return [
    'apiVersion: batch/v1', 'kind: CronJob', 'metadata:', `  name: cj-${i}`, `  namespace: ${namespace}`, 'spec:', `  schedule: "${i % 60} 3 * * *"`, '  concurrencyPolicy: Forbid',
    '  jobTemplate:', '    spec:', '      backoffLimit: 2', '      template:', '        metadata:', ...templateLabels(i, 10, flags), '        spec:', '          restartPolicy: OnFailure',
    ...podSpec(i, 10, flags),
  ];
}

export interface CorpusSummary {
  readonly objects: number;
  readonly files: number;
  readonly bytes: number;
}

/** Writes `objects` objects (default-deny policies included) into `files` files of `directory`. */
export async function writeCorpus(directory: string, objects: number, files: number, seed = 1): Promise<CorpusSummary> {
  const corpus = new Corpus(objects, seed);
  const documents: string[][] = [];
  const namespaces = Math.max(1, Math.floor(objects / 250));
  for (let n = 0; n < namespaces; n += 2) documents.push(defaultDeny(`team-${String(n).padStart(4, '0')}`));
  for (let i = documents.length; i < objects; i++) {
    const roll = corpus['random'].next();
    documents.push(roll < 0.35 ? corpus.networkPolicy(i) : workload(corpus, i, corpus.flags(), (roll - 0.35) / 0.65));
  }
  await mkdir(directory, { recursive: true });
  let bytes = 0;
  const perFile = Math.ceil(documents.length / files);
  for (let f = 0; f < files; f++) {
    const text = `${documents.slice(f * perFile, (f + 1) * perFile).map((lines) => lines.join('\n')).join('\n---\n')}\n`;
    bytes += Buffer.byteLength(text);
    await writeFile(join(directory, `m${String(f).padStart(3, '0')}.yaml`), text);
  }
  return { objects: documents.length, files, bytes };
}
