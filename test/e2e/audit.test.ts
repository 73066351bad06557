/**
 * The audit of what already runs, against a control plane of its own with no webhook
 * registered, so that what breaks the guardrails exists as it would in a cluster that
 * ran before kube-guardrails (kube-controller-manager makes the ReplicaSets and Pods and
 * garbage-collects). The audit runs as its own user, bound only to the shipped
 * ClusterRole and Lease Role of manifests/audit.yaml, so the RBAC is proven sufficient.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startControlPlane, WEBHOOK_USER, type ControlPlane } from './control-plane.js';
import { kubectl, type KubectlEnv } from './kubectl.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'main.js');
const e2e = inject('e2e');

let plane: ControlPlane;
let admin: KubectlEnv;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The audit as its own user (the shipped RBAC only). */
function audit(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'audit', ...args], { env: { ...process.env, KUBECONFIG: plane.webhookKubeconfig, NO_COLOR: '1', ...env }, timeout: 60_000, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

async function k(args: readonly string[], input?: string): Promise<string> {
  const result = await kubectl(admin, args, input);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

async function eventually<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last).slice(0, 600)}`);
    await sleep(300);
    last = await probe();
  }
  return last;
}

interface ReportItem {
  metadata: { name: string; namespace?: string; ownerReferences?: { uid: string; kind: string; name: string }[]; labels?: Record<string, string> };
  scope: { kind: string; name: string; namespace?: string; uid: string };
  summary: Record<string, number>;
  source?: string;
  results: { source: string; rule: string; policy: string; result: string; severity: string; message: string; properties: Record<string, string> }[];
}

async function reports(resource = 'reports.openreports.io', namespace?: string): Promise<ReportItem[]> {
  const scope = namespace === undefined ? ['-A'] : ['-n', namespace];
  return (JSON.parse(await k(['get', resource, ...scope, '-o', 'json'])) as { items: ReportItem[] }).items;
}

const scopes = (items: readonly ReportItem[]): string[] => items.map((item) => `${item.scope.kind}/${item.scope.name}`).sort();

/** The shipped audit RBAC, bound to the audit's user instead of its ServiceAccount. */
async function shippedAuditRbac(): Promise<string> {
  const shipped = await readFile(join(ROOT, 'manifests', 'audit.yaml'), 'utf8');
  const documents = shipped.split(/^---$/m).filter((document) => /kind: (ClusterRole|ClusterRoleBinding|Role|RoleBinding)\n/.test(document));
  return documents.map((document) => document.replace(/subjects:\n[\s\S]*$/, `subjects:\n  - {kind: User, name: ${WEBHOOK_USER.name}, apiGroup: rbac.authorization.k8s.io}\n`)).join('\n---\n');
}

const BEFORE_ANY_WEBHOOK = `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {owner: shop-team}}
---
apiVersion: v1
kind: Namespace
metadata: {name: unowned}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: world, namespace: shop, labels: {owner: shop-team}}
spec: {podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress], ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0}}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: fine, namespace: shop, labels: {owner: shop-team}}
spec: {podSelector: {}, policyTypes: [Ingress], ingress: [{from: [{podSelector: {matchLabels: {role: frontend}}}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: nolabel, namespace: shop}
spec: {containers: [{name: c, image: registry.example/app:1}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: agent, namespace: shop, labels: {owner: shop-team}}
spec:
  replicas: 2
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent, owner: shop-team}}
    spec: {hostNetwork: true, containers: [{name: c, image: registry.example/agent:1}]}
---
apiVersion: v1
kind: Pod
metadata: {name: system-agent, namespace: kube-system}
spec: {hostNetwork: true, containers: [{name: c, image: registry.example/agent:1}]}
`;

interface AuditJson {
  summary: { objects: number; denied: number; allowed: boolean };
  results: { kind: string; name: string; namespace: string; file: string; allowed: boolean; violations: { rule: string; action: string; path: string }[] }[];
}

const rulesOf = (json: AuditJson, kind: string, name: string): string[] =>
  json.results.filter((result) => result.kind === kind && result.name === name).flatMap((result) => result.violations.map((violation) => violation.rule)).sort();

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kg-audit-e2e-'));
  plane = await startControlPlane(dirname(e2e.kubectl), dir);
  admin = { kubectl: e2e.kubectl, kubeconfig: plane.kubeconfig };
  await k(['create', 'namespace', 'kube-guardrails']);
  await k(['apply', '-f', '-'], await shippedAuditRbac());
  await k(['apply', '-f', '-'], BEFORE_ANY_WEBHOOK);
  // The controller manager has made the ReplicaSet and its Pods.
  await eventually('the Deployment’s Pods', () => k(['get', 'pods', '-n', 'shop', '-l', 'app=agent', '-o', 'name']), (out) => out.trim().split('\n').length === 2);
}, 180_000);

afterAll(async () => {
  await plane.stop();
});

describe('kube-guardrails audit', () => {
  it('reports what breaks the guardrails in the cluster, as the webhook would judge it, and exits 1', async () => {
    const run = await audit(['--output', 'json']);
    expect(run.code, run.stderr).toBe(1);
    const json = JSON.parse(run.stdout) as AuditJson;
    expect(rulesOf(json, 'NetworkPolicy', 'world')).toContain('netpol-world-ingress');
    expect(rulesOf(json, 'Pod', 'nolabel')).toContain('required-labels');
    expect(rulesOf(json, 'Deployment', 'agent')).toContain('pod-host-network');
    expect(rulesOf(json, 'Namespace', 'unowned')).toEqual(['namespace-no-default-deny']);
    expect(rulesOf(json, 'Namespace', 'shop')).toEqual([]);
    expect(rulesOf(json, 'NetworkPolicy', 'fine')).toEqual([]);
    // The result names where the object is served and the path in it.
    const world = json.results.find((result) => result.name === 'world');
    expect(world?.file).toBe('/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies/world');
    expect(world?.violations[0]?.path).toBe('spec.ingress[0].from[0].ipBlock.cidr');
  });

  it('reports a workload’s findings once, on the workload: not on its ReplicaSet or Pods', async () => {
    const json = JSON.parse((await audit(['--output', 'json'])).stdout) as AuditJson;
    const kinds = json.results.filter((result) => result.namespace === 'shop').map((result) => `${result.kind}/${result.name}`);
    expect(kinds.filter((name) => name.startsWith('ReplicaSet/') || name.startsWith('Pod/agent'))).toEqual([]);
    expect(json.results.filter((result) => rulesOf(json, result.kind, result.name).includes('pod-host-network')).map((result) => result.kind)).toEqual(['Deployment']);
  });

  it('skips what the webhook registration never judges: kube-system', async () => {
    const json = JSON.parse((await audit(['--output', 'json'])).stdout) as AuditJson;
    expect(json.results.map((result) => result.namespace)).not.toContain('kube-system');
  });

  it('audits one namespace with --namespace, and renders text, SARIF and JUnit as check does', async () => {
    const json = JSON.parse((await audit(['--output', 'json', '--namespace', 'shop'])).stdout) as AuditJson;
    expect(new Set(json.results.map((result) => result.namespace === '' ? result.name : result.namespace))).toEqual(new Set(['shop']));
    const text = await audit(['--namespace', 'shop']);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/DENY\s+\[netpol-world-ingress\] spec\.ingress\[0\]\.from\[0\]\.ipBlock\.cidr/);
    expect(text.stdout).toMatch(/objects in the cluster\n$/);
    const sarif = JSON.parse((await audit(['--output', 'sarif'])).stdout) as { runs: { results: { ruleId: string }[] }[] };
    expect(sarif.runs[0]?.results.map((result) => result.ruleId)).toContain('netpol-world-ingress');
    const junit = await audit(['--output', 'junit']);
    expect(junit.stdout).toContain('<testsuites');
    expect(junit.stdout).toContain('pod-host-network');
  });

  it('exits 2 with one line and a stable code when the cluster cannot be reached', async () => {
    const run = await audit(['--output', 'json'], { KUBECONFIG: join(plane.dir, 'missing.kubeconfig') });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/KG_CLUSTER_(CONFIG|UNREACHABLE)/);
  });

  it('with --reports, says the report CRDs are missing before they are installed (exit 2)', async () => {
    const run = await audit(['--reports', '--output', 'json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('KG_REPORTS_UNAVAILABLE');
    expect(run.stderr).toContain('manifests/openreports/');
  });
});

describe('kube-guardrails audit --reports (OpenReports)', () => {
  beforeAll(async () => {
    await k(['apply', '-k', join(ROOT, 'manifests', 'openreports')]);
    await k(['wait', '--for=condition=Established', 'crd/reports.openreports.io', 'crd/clusterreports.openreports.io', '--timeout=60s']);
  });

  it('writes one Report per namespaced resource with findings and a ClusterReport per Namespace, none for clean ones', async () => {
    const run = await audit(['--reports', '--output', 'json']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/reports \(openreports\.io\/v1alpha1\): \d+ created, 0 replaced, 0 deleted, 0 failed/);
    const namespaced = await reports('reports.openreports.io', 'shop');
    expect(scopes(namespaced)).toEqual(['Deployment/agent', 'NetworkPolicy/world', 'Pod/nolabel']);
    const namespaces = scopes(await reports('clusterreports.openreports.io'));
    expect(namespaces).toContain('Namespace/unowned');
    expect(namespaces).not.toContain('Namespace/shop');
    expect(namespaces).not.toContain('Namespace/kube-system');
  });

  it('fills each result as OpenReports consumers read it, with a correct summary and an owner reference to the resource', async () => {
    const world = (await reports('reports.openreports.io', 'shop')).find((item) => item.scope.name === 'world');
    if (world === undefined) throw new Error('no Report for the world NetworkPolicy');
    const uid = (await k(['get', 'networkpolicy', 'world', '-n', 'shop', '-o', 'jsonpath={.metadata.uid}'])).trim();
    expect(world.scope).toMatchObject({ kind: 'NetworkPolicy', name: 'world', namespace: 'shop', uid, apiVersion: 'networking.k8s.io/v1' });
    expect(world.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'NetworkPolicy', name: 'world', uid })]);
    expect(world.source).toBe('kube-guardrails');
    const result = world.results.find((entry) => entry.rule === 'netpol-world-ingress');
    expect(result).toMatchObject({ source: 'kube-guardrails', policy: 'netpol-world-ingress', result: 'fail', severity: 'high' });
    expect(result?.properties).toMatchObject({ path: 'spec.ingress[0].from[0].ipBlock.cidr', value: '0.0.0.0/0' });
    expect(result?.properties.fix).toMatch(/Narrow/);
    const count = (status: string): number => world.results.filter((entry) => entry.result === status).length;
    expect(world.summary).toMatchObject({ pass: 0, fail: count('fail'), warn: count('warn'), error: 0, skip: 0 });
  });

  it('writes nothing on a second pass over an unchanged cluster', async () => {
    const run = await audit(['--reports', '--output', 'json']);
    expect(run.stderr).toContain('0 created, 0 replaced, 0 deleted, 0 failed');
  });

  it('removes the report of a resource once it is fixed, and of one that is gone', async () => {
    await k(['-n', 'shop', 'patch', 'networkpolicy', 'world', '--type=json', '-p', '[{"op":"replace","path":"/spec/ingress/0/from/0/ipBlock/cidr","value":"10.0.0.0/8"}]']);
    await k(['-n', 'shop', 'delete', 'pod', 'nolabel', '--wait=true']);
    const run = await audit(['--reports', '--output', 'json']);
    expect(run.stderr).toMatch(/0 created, 0 replaced, [12] deleted, 0 failed/);
    expect(scopes(await reports('reports.openreports.io', 'shop'))).toEqual(['Deployment/agent']);
  });

  it('leaves the garbage collector to remove a report with its resource', async () => {
    await k(['apply', '-f', '-'], 'apiVersion: v1\nkind: Namespace\nmetadata: {name: doomed}\n');
    await audit(['--reports']);
    expect(scopes(await reports('clusterreports.openreports.io'))).toContain('Namespace/doomed');
    await k(['delete', 'namespace', 'doomed', '--wait=false']);
    await eventually('the ClusterReport of the deleted Namespace to be collected', () => reports('clusterreports.openreports.io'), (items) => !scopes(items).includes('Namespace/doomed'), 90_000);
  });

  it('writes wgpolicyk8s PolicyReports instead when asked, for Policy Reporter', async () => {
    await k(['apply', '-f', '-'], POLICY_REPORT_CRD);
    await k(['wait', '--for=condition=Established', 'crd/policyreports.wgpolicyk8s.io', 'crd/clusterpolicyreports.wgpolicyk8s.io', '--timeout=60s']);
    await k(['apply', '-f', '-'], WGPOLICY_RBAC);
    const run = await audit(['--reports', '--report-api', 'wgpolicyk8s', '--namespace', 'shop']);
    expect(run.stderr).toMatch(/reports \(wgpolicyk8s\.io\/v1alpha2\): 1 created/);
    const items = await reports('policyreports.wgpolicyk8s.io', 'shop');
    expect(scopes(items)).toEqual(['Deployment/agent']);
    expect(items[0]?.results.map((result) => result.rule)).toContain('pod-host-network');
  });
});

/** Minimal structural CRDs for the wgpolicyk8s API, as Policy Reporter's chart installs them (preserving unknown fields). */
const POLICY_REPORT_CRD = ['PolicyReport', 'ClusterPolicyReport']
  .map(
    (kind) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: ${kind.toLowerCase()}s.wgpolicyk8s.io}
spec:
  group: wgpolicyk8s.io
  names: {kind: ${kind}, listKind: ${kind}List, plural: ${kind.toLowerCase()}s, singular: ${kind.toLowerCase()}}
  scope: ${kind === 'PolicyReport' ? 'Namespaced' : 'Cluster'}
  versions:
    - name: v1alpha2
      served: true
      storage: true
      schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`,
  )
  .join('---\n');

const WGPOLICY_RBAC = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: kube-guardrails-audit-wgpolicyk8s}
rules:
  - apiGroups: [wgpolicyk8s.io]
    resources: [policyreports, clusterpolicyreports]
    verbs: [get, list, create, update, delete]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: kube-guardrails-audit-wgpolicyk8s}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kube-guardrails-audit-wgpolicyk8s}
subjects:
  - {kind: User, name: ${WEBHOOK_USER.name}, apiGroup: rbac.authorization.k8s.io}
`;

interface Replica {
  readonly child: ChildProcess;
  readonly log: () => string;
  readonly metricsUrl: () => Promise<string>;
}

function startReplica(name: string): Replica {
  let log = '';
  const child = spawn(process.execPath, [CLI, 'audit', '--watch', '--metrics-port', '0', '--metrics-host', '127.0.0.1'], {
    env: { ...process.env, KUBECONFIG: plane.webhookKubeconfig, POD_NAME: name, POD_NAMESPACE: 'kube-guardrails', AUDIT_SETTLE_SECONDS: '0.2', AUDIT_LEASE_SECONDS: '3', AUDIT_WRITES_PER_SECOND: '100', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  return {
    child,
    log: () => log,
    metricsUrl: async () => {
      await eventually(`${name} to listen`, () => Promise.resolve(log), (text) => text.includes('continuous audit starting'), 30_000);
      const line = log.split('\n').find((entry) => entry.includes('continuous audit starting')) ?? '{}';
      return (JSON.parse(line) as { metrics: string }).metrics;
    },
  };
}

async function scrape(url: string): Promise<string> {
  return (await fetch(url)).text();
}

const leading = async (url: string): Promise<boolean> => /^kube_guardrails_audit_leader 1$/m.test(await scrape(url));

async function stopReplica(replica: Replica): Promise<void> {
  if (replica.child.exitCode !== null) return;
  const exited = new Promise((resolve) => replica.child.once('exit', resolve));
  replica.child.kill('SIGTERM');
  await exited;
}

describe('kube-guardrails audit --watch (continuous, two replicas)', () => {
  let first: Replica;
  let second: Replica;
  let urls: string[];

  beforeAll(async () => {
    first = startReplica('audit-a');
    second = startReplica('audit-b');
    urls = [await first.metricsUrl(), await second.metricsUrl()];
  });

  afterAll(async () => {
    await Promise.all([stopReplica(first), stopReplica(second)]);
  });

  it('has exactly one writer, chosen through the Lease', async () => {
    await eventually('a leader', () => Promise.all(urls.map(leading)), (flags) => flags.filter(Boolean).length === 1);
    const holder = (await k(['get', 'lease', 'kube-guardrails-audit', '-n', 'kube-guardrails', '-o', 'jsonpath={.spec.holderIdentity}'])).trim();
    const flags = await Promise.all(urls.map(leading));
    expect(holder).toBe(flags[0] === true ? 'audit-a' : 'audit-b');
  });

  it('judges a changed object again within seconds, in reports and in the violations gauge', async () => {
    await k(['apply', '-f', '-'], 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: opened, namespace: shop, labels: {owner: shop-team}}\nspec: {podSelector: {matchLabels: {app: api}}, policyTypes: [Ingress], ingress: [{from: [{ipBlock: {cidr: "::/0"}}]}]}\n');
    await eventually('a Report for the new policy', () => reports('reports.openreports.io', 'shop'), (items) => scopes(items).includes('NetworkPolicy/opened'));
    for (const url of urls) {
      await eventually('the violation in /metrics', () => scrape(url), (text) => /kube_guardrails_audit_violations\{rule="netpol-world-ingress",namespace="shop",result="fail"\} 1/.test(text));
    }
    await k(['-n', 'shop', 'delete', 'networkpolicy', 'opened']);
    await eventually('the Report to go with the policy', () => reports('reports.openreports.io', 'shop'), (items) => !scopes(items).includes('NetworkPolicy/opened'));
    await eventually('the gauge to fall', () => scrape(urls[0] ?? ''), (text) => !/kube_guardrails_audit_violations\{rule="netpol-world-ingress",namespace="shop"/.test(text));
  });

  it('hands over to the other replica when the writer stops, and the reports stay current', async () => {
    const flags = await Promise.all(urls.map(leading));
    const [leader, follower] = flags[0] === true ? [first, second] : [second, first];
    const followerUrl = flags[0] === true ? urls[1] : urls[0];
    await stopReplica(leader);
    expect(leader.log()).toContain('audit stopping');
    await eventually('the other replica to lead', () => leading(followerUrl ?? ''), Boolean, 20_000);
    await k(['apply', '-f', '-'], 'apiVersion: v1\nkind: Pod\nmetadata: {name: late, namespace: shop}\nspec: {containers: [{name: c, image: registry.example/app:1}]}\n');
    await eventually('a Report written by the new leader', () => reports('reports.openreports.io', 'shop'), (items) => scopes(items).includes('Pod/late'));
    expect(follower.log()).toContain('audit lease: leading');
  });
});
