import { describe, expect, it } from 'vitest';
import { ClusterState } from '../cluster/cluster-state.js';
import { DEFAULT_SCOPE } from '../cluster/list-cluster.js';
import { KINDS, NAMESPACE_NAME_LABEL } from '../core/kubernetes/kinds.js';
import { MATCH_EVERYTHING, readLabelSelector } from '../core/kubernetes/label-selector.js';
import type { JsonRecord } from '../core/kubernetes/shape.js';
import { compilePolicy, defaultPolicy, type Policy } from '../policy/policy.js';
import { toObjectResult } from '../report/report.js';
import { RULES } from '../rules/index.js';
import { auditObjects, objectPath, type AuditContext, type AuditScope, type AuditedObject } from './audit.js';
import { evaluate } from './evaluate.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const EVERYTHING: AuditScope = { namespaceSelector: MATCH_EVERYTHING, objectSelector: MATCH_EVERYTHING };

function context(scope: AuditScope = EVERYTHING, policy: Policy = defaultPolicy(RULES), now = NOW): AuditContext {
  return { rules: RULES, policy, now, scope };
}

// Objects as the audit's lister hands them over: list items with apiVersion and kind set, uids as the API server assigns them.

function namespaceObject(name: string, labels: Record<string, string> = {}): JsonRecord {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, uid: `uid-ns-${name}`, resourceVersion: '101', labels: { [NAMESPACE_NAME_LABEL]: name, ...labels } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
}

interface Owner {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
}

function ownedBy(owner: Owner | undefined, controller = true): Record<string, unknown> {
  return owner === undefined ? {} : { ownerReferences: [{ ...owner, controller, blockOwnerDeletion: true }] };
}

function ownerOf(object: JsonRecord): Owner {
  const metadata = object.metadata as { name: string; uid: string };
  return { apiVersion: object.apiVersion as string, kind: object.kind as string, name: metadata.name, uid: metadata.uid };
}

interface PodSpecOptions {
  readonly hostNetwork?: boolean;
}

function podSpec(options: PodSpecOptions = {}): Record<string, unknown> {
  return { ...(options.hostNetwork === true ? { hostNetwork: true } : {}), containers: [{ name: 'app', image: 'registry.example.com/app:1.4.2', ports: [{ containerPort: 8080 }] }] };
}

function deployment(name: string, namespace: string, options: PodSpecOptions & { labels?: Record<string, string> } = {}): JsonRecord {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, uid: `uid-deploy-${namespace}-${name}`, generation: 3, labels: { ...labels, ...options.labels } },
    spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec(options) } },
  };
}

function replicaSet(owner: JsonRecord, options: PodSpecOptions & { labels?: Record<string, string>; controller?: boolean } = {}): JsonRecord {
  const metadata = owner.metadata as { name: string; namespace: string };
  const labels = { app: metadata.name, 'pod-template-hash': '5d8f7c9b4' };
  const name = `${metadata.name}-5d8f7c9b4`;
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: metadata.namespace, uid: `uid-rs-${metadata.namespace}-${name}`, labels: { ...labels, ...options.labels }, ...ownedBy(ownerOf(owner), options.controller) },
    spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec(options) } },
  };
}

function pod(name: string, namespace: string, options: PodSpecOptions & { labels?: Record<string, string>; owner?: JsonRecord; controller?: boolean } = {}): JsonRecord {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      uid: `uid-pod-${namespace}-${name}`,
      labels: options.labels ?? { app: name },
      ...ownedBy(options.owner === undefined ? undefined : ownerOf(options.owner), options.controller),
    },
    spec: podSpec(options),
    status: { phase: 'Running', podIP: '10.244.1.17' },
  };
}

function podOf(owner: JsonRecord, suffix: string, options: PodSpecOptions = {}): JsonRecord {
  const metadata = owner.metadata as { name: string; namespace: string; labels: Record<string, string> };
  return pod(`${metadata.name}-${suffix}`, metadata.namespace, { ...options, labels: metadata.labels, owner });
}

function defaultDeny(namespace: string, labels: Record<string, string> = {}): JsonRecord {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'default-deny', namespace, uid: `uid-netpol-${namespace}-default-deny`, labels },
    spec: { podSelector: {}, policyTypes: ['Ingress'] },
  };
}

function worldIngress(namespace: string): JsonRecord {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'allow-world', namespace, uid: `uid-netpol-${namespace}-allow-world` },
    spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] },
  };
}

function named(audited: readonly AuditedObject[]): string[] {
  return audited.map(({ reference }) => `${reference.kind} ${reference.namespace === '' ? '' : `${reference.namespace}/`}${reference.name}`);
}

function rulesOf(audited: AuditedObject | undefined): string[] {
  return (audited?.result.violations ?? []).map((violation) => `${violation.rule}:${violation.action}`).sort();
}

function find(audited: readonly AuditedObject[], kind: string, name: string): AuditedObject | undefined {
  return audited.find(({ reference }) => reference.kind === kind && reference.name === name);
}

describe('auditObjects: what is judged', () => {
  it('judges a Deployment and reports its findings on it, skipping its ReplicaSet and Pods as owned', () => {
    const web = deployment('web', 'team-a', { hostNetwork: true });
    const rs = replicaSet(web, { hostNetwork: true });
    const objects = [namespaceObject('team-a'), defaultDeny('team-a'), web, rs, podOf(rs, 'x7k2p', { hostNetwork: true }), podOf(rs, 'q9d4m', { hostNetwork: true })];
    const result = auditObjects(objects, context());
    expect(named(result.audited)).toEqual(['Namespace team-a', 'NetworkPolicy team-a/default-deny', 'Deployment team-a/web']);
    expect(result.skipped).toEqual({ excluded: 0, owned: 3 });
    expect(rulesOf(find(result.audited, 'Deployment', 'web'))).toEqual(['pod-host-network:deny']);
    expect(find(result.audited, 'Deployment', 'web')?.result.allowed).toBe(false);
  });

  it('skips a CronJob’s Jobs and their Pods, the Job being itself judged', () => {
    const labels = { app: 'backup' };
    const cronJob: JsonRecord = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'backup', namespace: 'team-a', uid: 'uid-cron-backup', labels },
      spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: { metadata: { labels }, spec: { ...podSpec({ hostNetwork: true }), restartPolicy: 'OnFailure' } } } } },
    };
    const job: JsonRecord = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'backup-29100180', namespace: 'team-a', uid: 'uid-job-backup-29100180', labels, ...ownedBy(ownerOf(cronJob)) },
      spec: { template: { metadata: { labels }, spec: { ...podSpec({ hostNetwork: true }), restartPolicy: 'OnFailure' } } },
    };
    const jobPod = pod('backup-29100180-fq8zt', 'team-a', { hostNetwork: true, labels, owner: job });
    const result = auditObjects([namespaceObject('team-a'), defaultDeny('team-a'), cronJob, job, jobPod], context());
    expect(result.skipped.owned).toBe(2);
    expect(named(result.audited)).toContain('CronJob team-a/backup');
    expect(named(result.audited)).not.toContain('Job team-a/backup-29100180');
    expect(named(result.audited)).not.toContain('Pod team-a/backup-29100180-fq8zt');
    expect(rulesOf(find(result.audited, 'CronJob', 'backup'))).toEqual(['pod-host-network:deny']);
  });

  it('judges a Pod whose owner reference is not a controller reference', () => {
    const web = deployment('web', 'team-a');
    const rs = replicaSet(web);
    const adopted = pod('debug', 'team-a', { hostNetwork: true, owner: rs, controller: false });
    const result = auditObjects([namespaceObject('team-a'), defaultDeny('team-a'), web, rs, adopted], context());
    expect(result.skipped.owned).toBe(1);
    expect(rulesOf(find(result.audited, 'Pod', 'debug'))).toEqual(['pod-host-network:deny']);
  });

  it('judges objects whose controller is not listed (a StatefulSet of an operator’s custom resource, a bare Pod)', () => {
    const operatorOwned = pod('db-0', 'team-a', { hostNetwork: true, labels: { app: 'db' }, owner: { apiVersion: 'acid.zalan.do/v1', kind: 'postgresql', metadata: { name: 'db', uid: 'uid-pg-db' } } });
    const bare = pod('toolbox', 'team-a');
    const result = auditObjects([namespaceObject('team-a'), defaultDeny('team-a'), operatorOwned, bare], context());
    expect(result.skipped).toEqual({ excluded: 0, owned: 0 });
    expect(rulesOf(find(result.audited, 'Pod', 'db-0'))).toEqual(['pod-host-network:deny']);
    expect(find(result.audited, 'Pod', 'toolbox')?.result.violations).toEqual([]);
  });

  it('judges what a workload made when the workload itself is out of scope, since admission judged only what it made', () => {
    const scope: AuditScope = { namespaceSelector: MATCH_EVERYTHING, objectSelector: readLabelSelector({ matchExpressions: [{ key: 'guardrails.example.com/skip', operator: 'DoesNotExist' }] }) };
    const web = deployment('web', 'team-a', { hostNetwork: true, labels: { 'guardrails.example.com/skip': 'true' } });
    const rs = replicaSet(web, { hostNetwork: true });
    const result = auditObjects([namespaceObject('team-a'), defaultDeny('team-a'), web, rs, podOf(rs, 'x7k2p', { hostNetwork: true })], context(scope));
    expect(result.skipped).toEqual({ excluded: 1, owned: 1 });
    expect(named(result.audited)).toEqual(['Namespace team-a', 'NetworkPolicy team-a/default-deny', 'ReplicaSet team-a/web-5d8f7c9b4']);
    expect(rulesOf(find(result.audited, 'ReplicaSet', 'web-5d8f7c9b4'))).toEqual(['pod-host-network:deny']);
  });

  it('never counts kinds the webhook does not judge, nor NetworkPolicies of other API groups', () => {
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'team-a', uid: 'uid-cm' }, data: { a: 'b' } };
    const calico = { apiVersion: 'crd.projectcalico.org/v1', kind: 'NetworkPolicy', metadata: { name: 'allow-all', namespace: 'team-a', uid: 'uid-calico' }, spec: {} };
    const result = auditObjects([namespaceObject('team-a'), defaultDeny('team-a'), configMap, calico], context());
    expect(named(result.audited)).toEqual(['Namespace team-a', 'NetworkPolicy team-a/default-deny']);
    expect(result.skipped).toEqual({ excluded: 0, owned: 0 });
  });

  it('reports nothing for an empty cluster', () => {
    expect(auditObjects([], context())).toEqual({ audited: [], skipped: { excluded: 0, owned: 0 } });
  });
});

describe('auditObjects: the registration’s scope', () => {
  const cluster = (): JsonRecord[] => [
    namespaceObject('kube-system'),
    namespaceObject('team-a', { tier: 'apps' }),
    namespaceObject('team-b', { tier: 'apps' }),
    namespaceObject('sandbox'),
    pod('kube-proxy-8vx2l', 'kube-system', { hostNetwork: true, labels: { 'k8s-app': 'kube-proxy' } }),
    defaultDeny('team-a'),
    pod('web', 'team-a', { labels: { app: 'web', audited: 'yes' } }),
    pod('worker', 'team-a', { labels: { app: 'worker' } }),
    defaultDeny('team-b'),
    pod('api', 'team-b', { labels: { app: 'api', audited: 'yes' } }),
    pod('scratch', 'sandbox', { hostNetwork: true }),
  ];

  it('leaves out the namespaces the shipped registration excludes, the Namespace itself included', () => {
    const result = auditObjects(cluster(), context(DEFAULT_SCOPE));
    expect(named(result.audited)).not.toContain('Namespace kube-system');
    expect(named(result.audited)).not.toContain('Pod kube-system/kube-proxy-8vx2l');
    expect(named(result.audited)).toContain('Pod sandbox/scratch');
    expect(result.skipped).toEqual({ excluded: 2, owned: 0 });
    expect(result.audited).toHaveLength(cluster().length - 2);
  });

  it('matches a namespaced object on its namespace’s labels and a Namespace on its own', () => {
    const scope: AuditScope = { namespaceSelector: readLabelSelector({ matchLabels: { tier: 'apps' } }), objectSelector: MATCH_EVERYTHING };
    const result = auditObjects(cluster(), context(scope));
    expect(named(result.audited).sort()).toEqual(
      ['Namespace team-a', 'Namespace team-b', 'NetworkPolicy team-a/default-deny', 'NetworkPolicy team-b/default-deny', 'Pod team-a/web', 'Pod team-a/worker', 'Pod team-b/api'].sort(),
    );
    expect(result.skipped.excluded).toBe(4);
  });

  it('leaves out objects the objectSelector does not select, Namespaces included', () => {
    const scope: AuditScope = { namespaceSelector: MATCH_EVERYTHING, objectSelector: readLabelSelector({ matchLabels: { audited: 'yes' } }) };
    const result = auditObjects(cluster(), context(scope));
    expect(named(result.audited)).toEqual(['Pod team-a/web', 'Pod team-b/api']);
    expect(result.skipped.excluded).toBe(cluster().length - 2);
  });

  it('with --namespace, judges only that namespace’s objects and its Namespace', () => {
    const result = auditObjects(cluster(), context({ ...DEFAULT_SCOPE, namespace: 'team-a' }));
    expect(named(result.audited)).toEqual(['Namespace team-a', 'NetworkPolicy team-a/default-deny', 'Pod team-a/web', 'Pod team-a/worker']);
    expect(result.skipped).toEqual({ excluded: cluster().length - 4, owned: 0 });
  });

  it('with --namespace of an excluded namespace, judges nothing', () => {
    const result = auditObjects(cluster(), context({ ...DEFAULT_SCOPE, namespace: 'kube-system' }));
    expect(result.audited).toEqual([]);
    expect(result.skipped.excluded).toBe(cluster().length);
  });

  it('leaves out objects of a namespace that was not listed (its labels unknown)', () => {
    const result = auditObjects([namespaceObject('team-a'), pod('orphan', 'gone')], context());
    expect(named(result.audited)).toEqual(['Namespace team-a']);
    expect(result.skipped.excluded).toBe(1);
  });
});

describe('auditObjects: the view is the whole cluster, whatever the scope', () => {
  it('finds a pod isolated by a NetworkPolicy the objectSelector leaves out', () => {
    const scope: AuditScope = { namespaceSelector: MATCH_EVERYTHING, objectSelector: readLabelSelector({ matchExpressions: [{ key: 'guardrails.example.com/ignore', operator: 'DoesNotExist' }] }) };
    const objects = [namespaceObject('team-a'), defaultDeny('team-a', { 'guardrails.example.com/ignore': 'true' }), pod('web', 'team-a')];
    const result = auditObjects(objects, context(scope));
    expect(named(result.audited)).toEqual(['Namespace team-a', 'Pod team-a/web']);
    expect(rulesOf(find(result.audited, 'Pod', 'web'))).toEqual([]);
    expect(rulesOf(find(result.audited, 'Namespace', 'team-a'))).toEqual([]);
    // Without that policy in the cluster, the same pod and namespace are open.
    const open = auditObjects([namespaceObject('team-a'), pod('web', 'team-a')], context(scope));
    expect(rulesOf(find(open.audited, 'Pod', 'web'))).toEqual(['pod-not-isolated:warn']);
    expect(rulesOf(find(open.audited, 'Namespace', 'team-a'))).toEqual(['namespace-no-default-deny:warn']);
  });

  it('judges a namespace against its own NetworkPolicies only', () => {
    const result = auditObjects([namespaceObject('team-a'), namespaceObject('team-b'), defaultDeny('team-b')], context());
    expect(rulesOf(find(result.audited, 'Namespace', 'team-a'))).toEqual(['namespace-no-default-deny:warn']);
    expect(rulesOf(find(result.audited, 'Namespace', 'team-b'))).toEqual([]);
  });

  it('with --namespace, still sees the policies of the namespace it audits', () => {
    const objects = [namespaceObject('team-a'), namespaceObject('team-b'), defaultDeny('team-a'), pod('web', 'team-a'), pod('api', 'team-b')];
    const result = auditObjects(objects, context({ ...EVERYTHING, namespace: 'team-a' }));
    expect(rulesOf(find(result.audited, 'Pod', 'web'))).toEqual([]);
    expect(named(result.audited)).not.toContain('Pod team-b/api');
  });
});

describe('auditObjects: verdicts', () => {
  const objects = (): JsonRecord[] => {
    const web = deployment('web', 'team-a', { hostNetwork: true });
    return [namespaceObject('team-a'), namespaceObject('team-b'), worldIngress('team-a'), defaultDeny('team-b'), web, pod('api', 'team-b', { labels: { app: 'api' } }), pod('nolabel', 'team-b', { labels: {} })];
  };

  it('are the engine’s, in a view of every listed object', () => {
    const listed = objects();
    const state = new ClusterState();
    state.replace('namespaces', listed.filter((object) => object.kind === 'Namespace'));
    state.replace('networkpolicies', listed.filter((object) => object.kind === 'NetworkPolicy'));
    state.replace('pods', listed.filter((object) => object.kind === 'Pod'));
    const view = state.view(() => true);
    const result = auditObjects(listed, context());
    expect(result.audited).toHaveLength(listed.length);
    for (const { reference, result: audited } of result.audited) {
      const object = listed.find((candidate) => (candidate.metadata as { uid: string }).uid === reference.uid)!;
      const verdict = evaluate(RULES, object, { policy: defaultPolicy(RULES), view, now: NOW, defaultNamespace: reference.namespace === '' ? 'default' : reference.namespace });
      expect(audited).toEqual(toObjectResult({ file: audited.file, line: 0, lineOf: () => 0, verdict }));
    }
  });

  it('carry the findings of each rule on the object that has them', () => {
    const result = auditObjects(objects(), context());
    expect(rulesOf(find(result.audited, 'NetworkPolicy', 'allow-world'))).toEqual(['netpol-world-ingress:deny']);
    // The world policy selects app=web, so the Deployment's pods are isolated (if badly).
    expect(rulesOf(find(result.audited, 'Deployment', 'web'))).toEqual(['pod-host-network:deny']);
    expect(rulesOf(find(result.audited, 'Pod', 'nolabel'))).toEqual(['required-labels:deny']);
    expect(rulesOf(find(result.audited, 'Pod', 'api'))).toEqual([]);
    expect(rulesOf(find(result.audited, 'Namespace', 'team-a'))).toEqual(['namespace-no-default-deny:warn']);
    expect(find(result.audited, 'Pod', 'api')?.result).toMatchObject({ judged: true, allowed: true, violations: [], waived: [], failures: [] });
  });

  it('follow the policy: audit enforcement softens a denial and keeps what enforcement would do', () => {
    const policy = compilePolicy({ enforcement: 'audit' }, RULES);
    const web = find(auditObjects(objects(), context(EVERYTHING, policy)).audited, 'Deployment', 'web');
    expect(web?.result.allowed).toBe(true);
    expect(web?.result.violations.find((violation) => violation.rule === 'pod-host-network')).toMatchObject({ action: 'warn', enforcedAction: 'deny' });
  });

  it('waive by exemption until it expires at the audit’s time', () => {
    const policy = compilePolicy({ exemptions: [{ name: 'legacy-edge', rules: ['netpol-world-ingress'], namespaces: ['team-a'], reason: 'JIRA-123', expires: '2026-06-01T12:00:00Z' }] }, RULES);
    const before = find(auditObjects(objects(), context(EVERYTHING, policy, NOW - 1)).audited, 'NetworkPolicy', 'allow-world');
    expect(before?.result.violations).toEqual([]);
    expect(before?.result.waived).toEqual([expect.objectContaining({ rule: 'netpol-world-ingress', exemption: 'legacy-edge', reason: 'JIRA-123' })]);
    const after = find(auditObjects(objects(), context(EVERYTHING, policy, NOW)).audited, 'NetworkPolicy', 'allow-world');
    expect(after?.result.violations[0]).toMatchObject({ rule: 'netpol-world-ingress', expiredExemption: { name: 'legacy-edge', expires: '2026-06-01T12:00:00Z' } });
  });
});

describe('auditObjects: references and paths', () => {
  it('names each object by reference and by the API path it is served at, line 0', () => {
    const web = deployment('web', 'team-a');
    const result = auditObjects([namespaceObject('team-a'), defaultDeny('team-a'), web, pod('toolbox', 'team-a')], context());
    expect(find(result.audited, 'Deployment', 'web')?.reference).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'team-a', name: 'web', uid: 'uid-deploy-team-a-web' });
    expect(find(result.audited, 'Namespace', 'team-a')?.reference).toEqual({ apiVersion: 'v1', kind: 'Namespace', namespace: '', name: 'team-a', uid: 'uid-ns-team-a' });
    expect(result.audited.map(({ result: audited }) => [audited.file, audited.line])).toEqual([
      ['/api/v1/namespaces/team-a', 0],
      ['/apis/networking.k8s.io/v1/namespaces/team-a/networkpolicies/default-deny', 0],
      ['/apis/apps/v1/namespaces/team-a/deployments/web', 0],
      ['/api/v1/namespaces/team-a/pods/toolbox', 0],
    ]);
    expect(find(result.audited, 'Deployment', 'web')?.result).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'team-a', name: 'web' });
  });

  it('objectPath: a namespaced kind under its namespace, a cluster-scoped one at the top', () => {
    const spec = (kind: string) => KINDS.find((candidate) => candidate.kind === kind)!;
    expect(objectPath(spec('CronJob'), { apiVersion: 'batch/v1', kind: 'CronJob', namespace: 'team-a', name: 'backup', uid: 'u' })).toBe('/apis/batch/v1/namespaces/team-a/cronjobs/backup');
    expect(objectPath(spec('Namespace'), { apiVersion: 'v1', kind: 'Namespace', namespace: '', name: 'team-a', uid: 'u' })).toBe('/api/v1/namespaces/team-a');
  });
});
