/**
 * The audit target: "a full audit pass over 10,000 objects in under 10 s and under
 * 200 MB". A real etcd and kube-apiserver (the end-to-end suite's binaries, when built)
 * are loaded with 10,000 objects in 20 namespaces, as a cluster holds them:
 * NetworkPolicies of 1–4 rules (about 10% admitting the world), Deployments whose
 * ReplicaSets and Pods the controller manager makes, DaemonSets, suspended CronJobs and
 * bare Pods (Pending: no scheduler, no kubelet), some on the host network or without the
 * `app` label. The objects go in by HTTPS POSTs with bounded concurrency, as the admin
 * user; then the bench waits until the controller manager has stopped writing.
 *
 * Measured, each under GNU time with every core (as a user's shell would run it), the
 * control plane given every core too: `audit -o json` for a few rounds, then
 * `audit --reports` twice: the first creates the reports, the second, on the unchanged
 * cluster, should write nothing. The report writes are rate-limited to
 * AUDIT_WRITES_PER_SECOND=1000 here (the default, 20/s, would time the limit, not the
 * audit). Skipped, saying so, where the binaries are not built.
 *
 * Alone: `npm run build && npx tsc -p tsconfig.bench.json && node dist-bench/bench/audit-pass.js`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { cpus, homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { collectionPath, KINDS, kindOf } from '../src/core/kubernetes/kinds.js';
import { startControlPlane, USERS, type ControlPlane } from '../test/e2e/control-plane.js';
import { kubectl } from '../test/e2e/kubectl.js';
import { Random } from './random.js';

type Json = Record<string, unknown>;

/** The cluster: 10,000 objects in all (the ReplicaSets and their Pods made by the controller manager). */
export const CLUSTER = {
  namespaces: 20,
  networkPolicies: 2_500, // default-deny in half the namespaces included
  deployments: 350, // each with a ReplicaSet and 2 Pods: 1,400 objects
  replicas: 2,
  daemonSets: 100,
  cronJobs: 800,
  barePods: 5_180,
} as const;

const ROUNDS = 3;
const LOAD_CONCURRENCY = 96;
const WRITES_PER_SECOND = '1000';
const SETTLE_QUIET_MS = 5_000;
const SETTLE_TIMEOUT_MS = 600_000;
const TIME = '/usr/bin/time';

export const AUDIT_TARGET_SECONDS = 10;
export const AUDIT_TARGET_MB = 200;

// ---------------------------------------------------------------------------------------
// The objects
// ---------------------------------------------------------------------------------------

const WORLD = ['0.0.0.0/0', '::/0'];

interface Flags {
  readonly hostNetwork: boolean;
  readonly noAppLabel: boolean;
  readonly hostPort: boolean;
}

const namespaceName = (n: number): string => `team-${String(n).padStart(2, '0')}`;

/** As `kubectl apply` leaves an object: the whole of it, as applied, in an annotation. */
function applied(object: Json): Json {
  const metadata = object.metadata as Json;
  const annotations = { ...(metadata.annotations as Json | undefined), 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(object) };
  return { ...object, metadata: { ...metadata, annotations } };
}

function peer(random: Random, i: number, r: number): Json {
  const kind = random.pick(['pod', 'ns', 'ip', 'mixed']);
  const from: Json[] = [];
  if (kind === 'pod' || kind === 'mixed') from.push({ podSelector: { matchLabels: { app: `frontend-${(i + r) % 31}` } } });
  if (kind === 'ns' || kind === 'mixed') {
    from.push({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
      podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['ingress-nginx', 'haproxy'] }] },
    });
  }
  if (kind === 'ip') {
    const a = (i + r) % 250;
    from.push({ ipBlock: { cidr: `10.${a}.0.0/16`, except: [`10.${a}.1.0/24`, `10.${a}.2.0/24`] } });
  }
  return { from, ports: [{ protocol: 'TCP', port: 8000 + r }] };
}

function networkPolicy(random: Random, i: number, namespace: string): Json {
  const ingress = Array.from({ length: random.int(1, 4) }, (_, r) => peer(random, i, r));
  if (random.chance(0.1)) ingress.push({ from: [{ ipBlock: { cidr: random.pick(WORLD) } }], ports: [{ protocol: 'TCP', port: 443 }] });
  const egress: Json[] = [
    { to: [{ ipBlock: { cidr: `10.0.${i % 250}.5/32` } }], ports: [{ protocol: 'TCP', port: 5432 }] },
    {
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
    },
  ];
  if (random.chance(0.03)) egress.push({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 443 }] });
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: `np-${i}`, namespace, labels: { 'app.kubernetes.io/part-of': `shop-${i % 13}`, team: `t${i % 7}` }, annotations: { owner: `team${i % 7}@example.com` } },
    spec: { podSelector: { matchLabels: { app: `svc-${i % 97}`, tier: 'backend' } }, policyTypes: ['Ingress', 'Egress'], ingress, egress },
  };
}

function defaultDeny(namespace: string): Json {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace }, spec: { podSelector: {}, policyTypes: ['Ingress'] } };
}

function container(name: string, i: number, port: number, hostPort: boolean): Json {
  return {
    name,
    image: `registry.example.com/shop/${name}:1.${i % 40}.${i % 7}`,
    imagePullPolicy: 'IfNotPresent',
    args: ['--port=8080', '--log-level=info'],
    env: [{ name: 'LOG_FORMAT', value: 'json' }, { name: 'DB_HOST', value: `db-${i % 17}.data.svc` }],
    ports: [{ name: 'http', containerPort: port, protocol: 'TCP', ...(hostPort ? { hostPort: port } : {}) }],
    readinessProbe: { httpGet: { path: '/ready', port: 'http' } },
    livenessProbe: { httpGet: { path: '/healthz', port: 'http' } },
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
    securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true },
  };
}

function podSpec(i: number, flags: Flags): Json {
  return {
    ...(flags.hostNetwork ? { hostNetwork: true } : {}),
    serviceAccountName: 'default',
    containers: [container(`app${i % 5}`, i, 8080, flags.hostPort), ...(i % 3 === 0 ? [container('sidecar', i, 9090, false)] : [])],
  };
}

function podLabels(i: number, flags: Flags): Json {
  return { ...(flags.noAppLabel ? {} : { app: `svc-${i % 97}` }), component: `c${i}`, tier: 'backend' };
}

function flagsOf(random: Random): Flags {
  return { hostNetwork: random.chance(0.05), noAppLabel: random.chance(0.05), hostPort: random.chance(0.03) };
}

function deployment(i: number, namespace: string, flags: Flags): Json {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `dep-${i}`, namespace, labels: { 'app.kubernetes.io/part-of': `shop-${i % 13}` } },
    spec: { replicas: CLUSTER.replicas, selector: { matchLabels: { component: `c${i}` } }, template: { metadata: { labels: podLabels(i, flags) }, spec: podSpec(i, flags) } },
  };
}

function daemonSet(i: number, namespace: string, flags: Flags): Json {
  // Node agents: a third on the host network.
  const spec = podSpec(i, { ...flags, hostNetwork: flags.hostNetwork || i % 3 === 0 });
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: `agent-${i}`, namespace, labels: { 'app.kubernetes.io/part-of': `shop-${i % 13}` } },
    spec: { selector: { matchLabels: { component: `c${i}` } }, template: { metadata: { labels: podLabels(i, flags) }, spec } },
  };
}

function cronJob(i: number, namespace: string, flags: Flags): Json {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: `cj-${i}`, namespace },
    spec: {
      schedule: `${i % 60} 3 * * *`,
      suspend: true, // no Jobs while the bench runs
      concurrencyPolicy: 'Forbid',
      jobTemplate: { spec: { backoffLimit: 2, template: { metadata: { labels: podLabels(i, flags) }, spec: { ...podSpec(i, flags), restartPolicy: 'OnFailure' } } } },
    },
  };
}

function pod(i: number, namespace: string, flags: Flags): Json {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: `pod-${i}`, namespace, labels: podLabels(i, flags) }, spec: podSpec(i, flags) };
}

type Maker = (i: number, namespace: string, flags: Flags) => Json;

/**
 * The namespaces, then everything in them (the controller manager's work first, so that
 * it overlaps the rest), each as `kubectl apply` leaves it.
 */
export function clusterObjects(seed = 7): { namespaces: Json[]; objects: Json[] } {
  const random = new Random(seed);
  const namespaces = Array.from({ length: CLUSTER.namespaces }, (_, n) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespaceName(n), labels: { team: `t${n % 7}` } } }));
  const objects: Json[] = [];
  let i = 0;
  const add = (count: number, make: Maker): void => {
    for (let k = 0; k < count; k++, i++) objects.push(make(i, namespaceName(i % CLUSTER.namespaces), flagsOf(random)));
  };
  add(CLUSTER.deployments, deployment);
  add(CLUSTER.daemonSets, daemonSet);
  for (let n = 0; n < CLUSTER.namespaces; n += 2) objects.push(defaultDeny(namespaceName(n)));
  add(CLUSTER.networkPolicies - Math.ceil(CLUSTER.namespaces / 2), (index, namespace) => networkPolicy(random, index, namespace));
  add(CLUSTER.cronJobs, cronJob);
  add(CLUSTER.barePods, pod);
  return { namespaces: namespaces.map(applied), objects: objects.map(applied) };
}

// ---------------------------------------------------------------------------------------
// The API server, by HTTPS
// ---------------------------------------------------------------------------------------

interface Api {
  readonly base: string;
  readonly ca: string;
  readonly token: string;
  readonly agent: Agent;
}

interface Answer {
  readonly status: number;
  readonly body: string;
}

function send(api: Api, method: string, path: string, body?: Json): Promise<Answer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${api.token}`, accept: 'application/json' };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    const req = request(`${api.base}${path}`, { method, ca: api.ca, agent: api.agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function getJson(api: Api, path: string): Promise<Json> {
  const answer = await send(api, 'GET', path);
  if (answer.status !== 200) throw new Error(`GET ${path}: ${answer.status} ${answer.body.slice(0, 300)}`);
  return JSON.parse(answer.body) as Json;
}

function pathOf(object: Json): string {
  const spec = kindOf(object.apiVersion as string, object.kind as string);
  if (spec === undefined) throw new Error(`no kind ${String(object.kind)}`);
  return collectionPath(spec, (object.metadata as Json).namespace as string | undefined);
}

async function create(api: Api, object: Json): Promise<void> {
  const path = pathOf(object);
  for (let attempt = 0; ; attempt++) {
    const answer = await send(api, 'POST', path, object);
    if (answer.status === 201) return;
    // Too many requests, or a namespace not yet seen by the informers: try again, briefly.
    if ((answer.status === 429 || answer.status === 404 || answer.status >= 500) && attempt < 5) {
      await sleep(200 * (attempt + 1));
      continue;
    }
    throw new Error(`POST ${path}: ${answer.status} ${answer.body.slice(0, 300)}`);
  }
}

async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** How many objects a collection holds: one item and the count of the rest. */
async function count(api: Api, path: string): Promise<number> {
  const list = await getJson(api, `${path}?limit=1`);
  const remaining = (list.metadata as Json | undefined)?.remainingItemCount;
  return (list.items as unknown[]).length + (typeof remaining === 'number' ? remaining : 0);
}

// ---------------------------------------------------------------------------------------
// Waiting for the controller manager
// ---------------------------------------------------------------------------------------

/** The time of the controller manager's last write, read from the API server's audit log as it grows. */
class ControllerWrites {
  private offset = 0;
  private rest = '';
  last = Date.now();

  constructor(private readonly auditLog: string) {}

  async poll(): Promise<void> {
    if (!existsSync(this.auditLog)) return;
    const handle = await open(this.auditLog, 'r');
    try {
      const { size } = await handle.stat();
      if (size <= this.offset) return;
      const buffer = Buffer.alloc(size - this.offset);
      await handle.read(buffer, 0, buffer.length, this.offset);
      this.offset = size;
      const lines = (this.rest + buffer.toString('utf8')).split('\n');
      this.rest = lines.pop() ?? '';
      const written = lines.some((line) => line.includes('"username":"system:kube-controller-manager"') && /"verb":"(create|update|patch|delete)"/.test(line));
      if (written) this.last = Date.now();
    } finally {
      await handle.close();
    }
  }
}

async function workloadsSettled(api: Api): Promise<boolean> {
  const deployments = (await getJson(api, '/apis/apps/v1/deployments')).items as Json[];
  const daemonSets = (await getJson(api, '/apis/apps/v1/daemonsets')).items as Json[];
  const observed = (object: Json): boolean => (object.status as Json | undefined)?.observedGeneration === (object.metadata as Json).generation;
  const scaled = (object: Json): boolean => (object.status as Json | undefined)?.replicas === (object.spec as Json).replicas;
  return deployments.every((d) => observed(d) && scaled(d)) && daemonSets.every(observed);
}

/** Until every ReplicaSet and Pod is made and the controller manager has been quiet a while; false at the deadline. */
async function settle(api: Api, auditLog: string): Promise<boolean> {
  const writes = new ControllerWrites(auditLog);
  const expectedPods = CLUSTER.barePods + CLUSTER.deployments * CLUSTER.replicas;
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    await sleep(1_000);
    await writes.poll();
    if (Date.now() - writes.last < SETTLE_QUIET_MS) continue;
    const made = (await count(api, '/api/v1/pods')) >= expectedPods && (await count(api, '/apis/apps/v1/replicasets')) >= CLUSTER.deployments;
    if (made && (await workloadsSettled(api))) return true;
  }
  return false;
}

/** Every object of every kind the audit lists, cluster-wide. */
async function judgedObjects(api: Api): Promise<number> {
  const counts = await Promise.all(KINDS.filter((spec) => spec.admission).map((spec) => count(api, collectionPath(spec))));
  return counts.reduce((a, b) => a + b, 0);
}

// ---------------------------------------------------------------------------------------
// The runs
// ---------------------------------------------------------------------------------------

export interface AuditRun {
  readonly wallSeconds: number;
  readonly peakRssMiB: number;
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** One run of the CLI under GNU time (`%e %M`), given every core back. */
function timed(root: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<AuditRun> {
  const allCores = ['taskset', '-a', '-c', `0-${cpus().length - 1}`];
  const argv = [...(existsSync('/usr/bin/taskset') ? allCores : []), TIME, '-f', 'kg-bench %e %M', process.execPath, join(root, 'dist', 'main.js'), ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0] ?? TIME, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const match = /kg-bench ([\d.]+) (\d+)/.exec(stderr);
      if (match === null) {
        reject(new Error(`no timing from audit: ${stderr.slice(-500)}`));
        return;
      }
      resolve({ wallSeconds: Number(match[1]), peakRssMiB: Number(match[2]) / 1024, exitCode: code ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: stderr.replace(match[0], '').trim() });
    });
  });
}

export interface AuditSummary {
  readonly objects: number;
  readonly judged: number;
  readonly denied: number;
  readonly withFindings: number;
  readonly findings: number;
}

function summaryOf(run: AuditRun): AuditSummary {
  const report = JSON.parse(run.stdout) as { results: unknown[]; summary: Record<string, number> };
  const s = report.summary;
  const findings = (s.deny ?? 0) + (s.warn ?? 0) + (s.audit ?? 0) + (s.waived ?? 0) + (s.failures ?? 0);
  return { objects: s.objects ?? 0, judged: s.judged ?? 0, denied: s.denied ?? 0, withFindings: report.results.length, findings };
}

export interface ReportWrites {
  readonly created: number;
  readonly replaced: number;
  readonly deleted: number;
  readonly failed: number;
}

function writesOf(run: AuditRun): ReportWrites | undefined {
  const match = /(\d+) created, (\d+) replaced, (\d+) deleted, (\d+) failed/.exec(run.stderr);
  if (match === null) return undefined;
  return { created: Number(match[1]), replaced: Number(match[2]), deleted: Number(match[3]), failed: Number(match[4]) };
}

export interface RunFigure {
  readonly wallSeconds: number;
  readonly peakRssMiB: number;
  readonly exitCode: number;
}

export interface ReportsRun extends RunFigure {
  readonly writes?: ReportWrites;
}

export interface AuditPassResult {
  /** Objects of the judged kinds in the cluster: what the audit lists. */
  readonly listed: number;
  /** Objects sent by POST (the rest the controller manager made). */
  readonly posted: number;
  readonly loadSeconds: number;
  readonly settleSeconds: number;
  readonly settled: boolean;
  readonly rounds: readonly RunFigure[];
  readonly summary: AuditSummary;
  readonly reportsFirst?: ReportsRun;
  readonly reportsSecond?: ReportsRun;
  /** Reports and ClusterReports in the cluster after the first pass. */
  readonly reportsInCluster?: number;
  /** Why the reports were not measured. */
  readonly reportsSkipped?: string;
}

const figure = (run: AuditRun): RunFigure => ({ wallSeconds: run.wallSeconds, peakRssMiB: run.peakRssMiB, exitCode: run.exitCode });

function binaries(): string | undefined {
  const cache = process.env.K8S_BIN_CACHE ?? join(homedir(), '.cache', 'kube-guardrails-e2e');
  if (!existsSync(cache)) return undefined;
  const latest = readdirSync(cache).filter((name) => name.startsWith('v1.')).sort().at(-1);
  if (latest === undefined) return undefined;
  const dir = join(cache, latest);
  return ['kube-apiserver', 'etcd', 'kubectl', 'kube-controller-manager'].every((name) => existsSync(join(dir, name))) ? dir : undefined;
}

/**
 * `npm run bench` pins itself to one core; the control plane it starts would inherit
 * that, and serve the audit's lists from one core. It gets every core, as a cluster's would.
 * (Every core is `cpus()`: `availableParallelism()` counts only those this process may use.)
 */
async function withEveryCore<T>(work: () => Promise<T>): Promise<T> {
  const current = spawnSync('taskset', ['-c', '-p', String(process.pid)], { encoding: 'utf8' });
  const list = current.status === 0 ? /:\s*(\S+)\s*$/.exec(current.stdout)?.[1] : undefined;
  if (list === undefined) return work();
  spawnSync('taskset', ['-a', '-c', '-p', `0-${cpus().length - 1}`, String(process.pid)]);
  try {
    return await work();
  } finally {
    spawnSync('taskset', ['-a', '-c', '-p', list, String(process.pid)]);
  }
}

async function load(api: Api): Promise<{ posted: number; seconds: number }> {
  const { namespaces, objects } = clusterObjects();
  const started = performance.now();
  await inParallel(namespaces, LOAD_CONCURRENCY, (object) => create(api, object));
  await inParallel(objects, LOAD_CONCURRENCY, (object) => create(api, object));
  return { posted: namespaces.length + objects.length, seconds: (performance.now() - started) / 1000 };
}

async function measureReports(root: string, plane: ControlPlane, bin: string, api: Api): Promise<Pick<AuditPassResult, 'reportsFirst' | 'reportsSecond' | 'reportsInCluster' | 'reportsSkipped'>> {
  const env = { kubectl: join(bin, 'kubectl'), kubeconfig: plane.kubeconfig };
  const crds = await kubectl(env, ['apply', '-f', join(root, 'manifests', 'openreports', 'crds.yaml')]);
  if (crds.code !== 0) return { reportsSkipped: `cannot apply the report CRDs: ${crds.stderr.trim()}` };
  const established = await kubectl(env, ['wait', '--for', 'condition=Established', '--timeout=60s', 'crd/reports.openreports.io', 'crd/clusterreports.openreports.io']);
  if (established.code !== 0) return { reportsSkipped: `report CRDs not established: ${established.stderr.trim()}` };
  const runEnv = { KUBECONFIG: plane.kubeconfig, AUDIT_WRITES_PER_SECOND: WRITES_PER_SECOND };
  const first = await timed(root, ['audit', '--reports', '-o', 'json'], runEnv);
  const writes = writesOf(first);
  if (writes === undefined) return { reportsSkipped: `audit --reports wrote no summary (exit ${first.exitCode}): ${first.stderr.slice(-500)}` };
  const reportsInCluster = (await count(api, '/apis/openreports.io/v1alpha1/reports')) + (await count(api, '/apis/openreports.io/v1alpha1/clusterreports'));
  const second = await timed(root, ['audit', '--reports', '-o', 'json'], runEnv);
  const secondWrites = writesOf(second);
  return {
    reportsFirst: { ...figure(first), writes },
    reportsSecond: { ...figure(second), ...(secondWrites === undefined ? {} : { writes: secondWrites }) },
    reportsInCluster,
  };
}

async function measure(root: string, plane: ControlPlane, bin: string): Promise<AuditPassResult> {
  const api: Api = { base: `https://127.0.0.1:${plane.apiPort}`, ca: plane.ca.cert, token: USERS[0]?.token ?? '', agent: new Agent({ keepAlive: true, maxSockets: LOAD_CONCURRENCY }) };
  try {
    const loaded = await load(api);
    const settleStarted = performance.now();
    const settled = await settle(api, plane.auditLog);
    const settleSeconds = (performance.now() - settleStarted) / 1000;
    const listed = await judgedObjects(api);
    const runs: AuditRun[] = [];
    for (let round = 0; round < ROUNDS; round++) runs.push(await timed(root, ['audit', '-o', 'json'], { KUBECONFIG: plane.kubeconfig }));
    const last = runs[runs.length - 1] as AuditRun;
    if (last.exitCode !== 0 && last.exitCode !== 1) throw new Error(`audit failed (exit ${last.exitCode}): ${last.stderr.slice(-500)}`);
    const reports = await measureReports(root, plane, bin, api);
    return { listed, posted: loaded.posted, loadSeconds: loaded.seconds, settleSeconds, settled, rounds: runs.map(figure), summary: summaryOf(last), ...reports };
  } finally {
    api.agent.destroy();
  }
}

/** The audit pass against a loaded cluster; undefined when the control plane's binaries are not built. */
export async function auditPassBenchmark(root: string, dir: string): Promise<AuditPassResult | undefined> {
  const bin = binaries();
  if (bin === undefined) return undefined;
  if (!existsSync(TIME)) throw new Error(`${TIME} is needed to measure peak memory (Debian package "time")`);
  const planeDir = join(dir, 'audit-plane');
  await mkdir(planeDir, { recursive: true });
  const plane = await withEveryCore(() => startControlPlane(bin, planeDir));
  try {
    const result = await measure(root, plane, bin);
    await holdForProfiling(plane);
    return result;
  } finally {
    await plane.stop();
  }
}

/** AUDIT_BENCH_HOLD=1 keeps the loaded cluster until SIGINT, to profile the audit against it by hand. */
async function holdForProfiling(plane: ControlPlane): Promise<void> {
  if (process.env.AUDIT_BENCH_HOLD !== '1') return;
  console.log(`holding the loaded cluster: KUBECONFIG=${plane.kubeconfig}; SIGINT ends`);
  await new Promise((resolve) => process.once('SIGINT', resolve));
}

// ---------------------------------------------------------------------------------------
// Printing
// ---------------------------------------------------------------------------------------

const fmt = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const n = (value: number): string => value.toLocaleString('en-US');
const mb = (mib: number): number => mib * 1.048576;
const verdict = (ok: boolean): string => (ok ? 'met' : 'MISSED');

function fastest(runs: readonly RunFigure[]): RunFigure {
  return runs.reduce((a, b) => (b.wallSeconds < a.wallSeconds ? b : a));
}

function slowest(runs: readonly RunFigure[]): RunFigure {
  return runs.reduce((a, b) => (b.wallSeconds > a.wallSeconds ? b : a));
}

const peak = (runs: readonly RunFigure[]): number => Math.max(...runs.map((run) => run.peakRssMiB));

function describeWrites(writes: ReportWrites | undefined): string {
  if (writes === undefined) return 'no write summary';
  return `${n(writes.created)} created, ${n(writes.replaced)} replaced, ${n(writes.deleted)} deleted, ${n(writes.failed)} failed`;
}

function printReports(result: AuditPassResult): void {
  if (result.reportsSkipped !== undefined) {
    console.log(`  audit --reports: skipped (${result.reportsSkipped})`);
    return;
  }
  const pass = (label: string, run: ReportsRun | undefined): void => {
    if (run === undefined) return;
    console.log(`  audit --reports, ${label} ${fmt(run.wallSeconds, 2)} s  peak RSS ${fmt(run.peakRssMiB)} MiB  (exit ${run.exitCode}): ${describeWrites(run.writes)}`);
  };
  console.log(`  (report writes limited to AUDIT_WRITES_PER_SECOND=${WRITES_PER_SECOND}; the default is 20/s)`);
  pass('first pass ', result.reportsFirst);
  pass('second pass', result.reportsSecond);
  console.log(`  reports in the cluster after the first pass: ${n(result.reportsInCluster ?? 0)} (Reports and ClusterReports)`);
}

export function printAuditPass(result: AuditPassResult | undefined): void {
  if (result === undefined) {
    console.log('\nAudit of a loaded cluster: skipped (no kube-apiserver built; run npm run test:e2e once)');
    return;
  }
  const { summary, rounds } = result;
  console.log(`\nAudit of a loaded cluster: ${n(result.listed)} objects of the judged kinds (${CLUSTER.namespaces} namespaces), every core`);
  console.log(`  ${n(result.posted)} loaded in ${fmt(result.loadSeconds, 1)} s by HTTPS POST (${LOAD_CONCURRENCY} at a time), the rest made by the controller manager, ${result.settled ? 'settled' : 'NOT settled'} after another ${fmt(result.settleSeconds, 1)} s`);
  rounds.forEach((run, i) => {
    console.log(`  audit -o json, round ${i + 1}: ${fmt(run.wallSeconds, 2)} s  peak RSS ${fmt(run.peakRssMiB)} MiB  (exit ${run.exitCode})`);
  });
  console.log(`  best ${fmt(fastest(rounds).wallSeconds, 2)} s, worst ${fmt(slowest(rounds).wallSeconds, 2)} s, highest peak RSS ${fmt(peak(rounds))} MiB`);
  console.log(`  judged ${n(summary.objects)} (owned by a judged workload or excluded: ${n(result.listed - summary.objects)}), ${n(summary.withFindings)} with findings, ${n(summary.findings)} findings, ${n(summary.denied)} denied`);
  printReports(result);
}

function reportTargets(result: AuditPassResult): Record<string, boolean> {
  const { reportsFirst: first, reportsSecond: second } = result;
  if (first === undefined || second === undefined) return {};
  return {
    [`audit --reports, first pass (${n(first.writes?.created ?? 0)} reports created) < ${AUDIT_TARGET_SECONDS} s`]: first.wallSeconds < AUDIT_TARGET_SECONDS,
    [`audit --reports, second pass (unchanged cluster) < ${AUDIT_TARGET_SECONDS} s`]: second.wallSeconds < AUDIT_TARGET_SECONDS,
    [`audit --reports, both passes < ${AUDIT_TARGET_MB} MB`]: mb(Math.max(first.peakRssMiB, second.peakRssMiB)) < AUDIT_TARGET_MB,
    'audit --reports on an unchanged cluster writes nothing': second.writes !== undefined && Object.values(second.writes).every((value) => value === 0),
  };
}

/** The targets, for the bench's list: the slowest round and the highest RSS count; the report passes beside them. */
export function auditTargets(result: AuditPassResult | undefined): Record<string, boolean> {
  if (result === undefined) return {};
  return {
    [`audit of ${n(result.listed)} objects < ${AUDIT_TARGET_SECONDS} s`]: slowest(result.rounds).wallSeconds < AUDIT_TARGET_SECONDS,
    [`audit of ${n(result.listed)} objects < ${AUDIT_TARGET_MB} MB`]: mb(peak(result.rounds)) < AUDIT_TARGET_MB,
    ...reportTargets(result),
  };
}

async function main(): Promise<void> {
  const root = join(import.meta.dirname, '..', '..');
  const dir = await mkdtemp(join(tmpdir(), 'kg-audit-bench-'));
  try {
    const result = await auditPassBenchmark(root, dir);
    printAuditPass(result);
    const targets = auditTargets(result);
    if (Object.keys(targets).length > 0) console.log('\nTargets');
    for (const [name, ok] of Object.entries(targets)) console.log(`  ${verdict(ok).padEnd(7)} ${name}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
