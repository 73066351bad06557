/**
 * The webhook sees the cluster: through kubectl against the real API server, with the
 * webhook's informers running as their own user under the shipped ClusterRole. A policy
 * is judged with the namespace's other policies, pods with the policies that exist,
 * deletions with what they leave. The view lags a write by milliseconds, so assertions
 * that depend on an earlier write wait for it (dry runs) before the real apply.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { clusterHelpers, DENIED } from './helpers.js';
import { kubectl, type KubectlResult } from './kubectl.js';

const ROOT = join(import.meta.dirname, '..', '..');
const e2e = inject('e2e');
const kube = { kubectl: e2e.kubectl, kubeconfig: e2e.kubeconfig };
const { namespace, apply, eventually } = clusterHelpers(kube);
const run = promisify(execFile);

const output = (result: KubectlResult): string => `${result.stdout}\n${result.stderr}`;

function quarter(name: string, cidr: string, podSelector = '{matchLabels: {app: web}}'): string {
  return `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ${name}}
spec:
  podSelector: ${podSelector}
  policyTypes: [Ingress]
  ingress: [{from: [{ipBlock: {cidr: "${cidr}"}}]}]
`;
}

function pod(name: string, labels: string): string {
  return `apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: ${labels}}
spec: {containers: [{name: app, image: registry.example/app:1}]}
`;
}

const DEFAULT_DENY = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny}
spec: {podSelector: {}, policyTypes: [Ingress]}
`;

/** Retries a server-side dry run until `done` holds: the view has caught up with the writes before it. */
function once(ns: string, yaml: string, done: (text: string) => boolean): Promise<KubectlResult> {
  return eventually(() => apply(ns, yaml, '--dry-run=server'), (result) => done(output(result)), 15_000);
}

async function check(yaml: string): Promise<{ code: number; text: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'kg-view-'));
  const file = join(dir, 'objects.yaml');
  await writeFile(file, yaml);
  try {
    const { stdout } = await run(process.execPath, [join(ROOT, 'dist', 'main.js'), 'check', file]);
    return { code: 0, text: stdout };
  } catch (error: unknown) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, text: failed.stdout };
  }
}

describe('policies judged together: the four quarters of IPv4', () => {
  let ns: string;
  let other: string;
  beforeAll(async () => {
    ns = await namespace('quarters');
    other = await namespace('quarters-other');
  });

  it('admits one quarter, refuses the next one for the same pods naming the first, and admits it where the first is absent', async () => {
    const first = await apply(ns, quarter('q1', '0.0.0.0/2'));
    expect(first.code, output(first)).toBe(0);
    const second = await once(ns, quarter('q2', '64.0.0.0/2'), (text) => text.includes(DENIED));
    expect(output(second)).toContain('[netpol-world-ingress]');
    expect(output(second)).toContain('"q1"');
    const real = await apply(ns, quarter('q2', '64.0.0.0/2'));
    expect(real.code).toBe(1);
    const elsewhere = await apply(other, quarter('q2', '64.0.0.0/2'));
    expect(elsewhere.code, output(elsewhere)).toBe(0);
  });

  it('refuses the third quarter too (with q1 it is over half), and admits the fourth (with q1, 42%)', async () => {
    const third = await once(ns, quarter('q3', '128.0.0.0/2'), (text) => text.includes(DENIED));
    expect(output(third)).toContain('"q1"');
    const fourth = await apply(ns, quarter('q4', '192.0.0.0/2'));
    expect(fourth.code, output(fourth)).toBe(0);
  });

  it('admits the next quarter for pods the first can never select (app=api)', async () => {
    const result = await once(ns, quarter('api-q2', '64.0.0.0/2', '{matchLabels: {app: api}}'), (text) => text.includes('created'));
    expect(output(result)).not.toContain('netpol-world-ingress');
  });

  it('gives the same verdict in check on the same objects, and reports each of four quarters given at once', async () => {
    const named = (name: string, cidr: string): string => quarter(name, cidr).replace(`{name: ${name}}`, `{name: ${name}, namespace: ${ns}}`);
    const pair = await check(`${named('q1', '0.0.0.0/2')}---\n${named('q2', '64.0.0.0/2')}`);
    expect(pair.code).toBe(1);
    expect(pair.text).toContain('netpol-world-ingress');
    expect(pair.text).toContain('"q1"');
    const all = await check([named('q1', '0.0.0.0/2'), named('q2', '64.0.0.0/2'), named('q3', '128.0.0.0/2'), named('q4', '192.0.0.0/2')].join('---\n'));
    expect(all.code).toBe(1);
    expect(all.text.match(/\[netpol-world-ingress\]|netpol-world-ingress/g)?.length ?? 0).toBeGreaterThanOrEqual(4);
  });
});

describe('pods and workloads judged with the policies that exist', () => {
  let lonely: string;
  let guarded: string;
  beforeAll(async () => {
    lonely = await namespace('lonely');
    guarded = await namespace('guarded');
    const deny = await apply(guarded, DEFAULT_DENY);
    expect(deny.code, output(deny)).toBe(0);
  });

  it('warns about a Pod in a namespace without policies', async () => {
    const result = await apply(lonely, pod('solo', '{app: solo}'));
    expect(result.code, output(result)).toBe(0);
    expect(output(result)).toMatch(/Warning: .*\[pod-not-isolated\]/);
  });

  it('warns about a Deployment whose template no policy selects, and not about a Pod a default deny isolates', async () => {
    const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: app, image: registry.example/app:1}]}
`;
    const warned = await apply(lonely, deployment);
    expect(output(warned)).toContain('[pod-not-isolated]');
    const isolated = await once(guarded, pod('web', '{app: web}'), (text) => text.includes('created') && !text.includes('pod-not-isolated'));
    expect(output(isolated)).not.toContain('pod-not-isolated');
  });

  it('warns, at apply, about egress isolation that blocks DNS', async () => {
    const lock = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-lock}
spec: {podSelector: {}, policyTypes: [Egress]}
`;
    const result = await apply(lonely, lock);
    expect(result.code, output(result)).toBe(0);
    expect(output(result)).toContain('[netpol-dns-egress]');
  });

  it('does not warn about egress isolation when another policy for the same pods allows DNS', async () => {
    const dns = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-dns}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]
      ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]
`;
    expect((await apply(guarded, dns)).code).toBe(0);
    const lock = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-lock}
spec: {podSelector: {matchLabels: {app: web}}, policyTypes: [Egress]}
`;
    const result = await once(guarded, lock, (text) => text.includes('created') && !text.includes('netpol-dns-egress'));
    expect(output(result)).not.toContain('netpol-dns-egress');
  });
});

describe('deletions and namespaces', () => {
  it('warns about a Namespace created without a default deny', async () => {
    const name = `bare-${Date.now().toString(36)}`;
    const result = await kubectl(kube, ['create', 'namespace', name]);
    expect(result.code, output(result)).toBe(0);
    expect(output(result)).toContain('[namespace-no-default-deny]');
  });

  it('warns when deleting the policy that isolated existing pods, naming how many and the namespace, and deletes it', async () => {
    const ns = await namespace('deletion');
    expect((await apply(ns, DEFAULT_DENY)).code).toBe(0);
    expect((await apply(ns, pod('w1', '{app: web}'))).code).toBe(0);
    expect((await apply(ns, pod('w2', '{app: web}'))).code).toBe(0);
    // Wait until the view holds both pods: the dry-run deletion names them.
    const dry = await eventually(
      () => kubectl(kube, ['delete', '-n', ns, 'networkpolicy', 'default-deny', '--dry-run=server']),
      (result) => output(result).includes('2 pods'),
      15_000,
    );
    expect(output(dry)).toContain('2 pods');
    const deleted = await kubectl(kube, ['delete', '-n', ns, 'networkpolicy', 'default-deny']);
    expect(deleted.code, output(deleted)).toBe(0);
    expect(output(deleted)).toContain('deleted');
    expect(output(deleted)).toMatch(new RegExp(`Warning: .*\\[pod-not-isolated\\].*2 pods of namespace "${ns}"`));
    expect(output(deleted)).toContain('[namespace-no-default-deny]');
  });

  it('reports a namespaceSelector that matches every namespace that exists', async () => {
    const ns = await namespace('all-ns');
    const policy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: not-prod}
spec:
  podSelector: {}
  ingress: [{from: [{namespaceSelector: {matchExpressions: [{key: env, operator: NotIn, values: [prod]}]}}]}]
`;
    const result = await apply(ns, policy);
    expect(result.code, output(result)).toBe(0);
    expect(output(result)).toContain('[netpol-all-namespaces]');
    expect(output(result)).toContain('namespaces that exist');
  });
});
