import { RULES } from '../src/rules/index.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { manifestView } from '../src/cluster/manifest-view.js';
import { EXCLUDED_NAMESPACES, KINDS, webhookRules } from '../src/core/kubernetes/kinds.js';
import { evaluateBatch } from '../src/engine/batch.js';
import { buildReport } from '../src/report/report.js';
import { parseManifests } from '../src/manifests/parse-manifests.js';
import { defaultPolicy, parsePolicy } from '../src/policy/policy.js';

const DIRECTORY = join(import.meta.dirname, '..', 'manifests');
type Manifest = Record<string, any>;

/** manifests/ (step 1 of the install) and manifests/registration/ (step 2), relative to manifests/. */
const files = ['', 'registration/'].flatMap((sub) =>
  readdirSync(join(DIRECTORY, sub))
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => `${sub}${name}`),
);
const objects: Manifest[] = files.flatMap((name) =>
  parseAllDocuments(readFileSync(join(DIRECTORY, name), 'utf8')).map((document) => document.toJS() as Manifest),
);
/** The object of a kind, by name where manifests/ holds several (the webhook's, the audit's). */
const find = (kind: string, name?: string): Manifest => {
  const found = objects.find((object) => object.kind === kind && (name === undefined || object.metadata?.name === name));
  if (found === undefined) throw new Error(`no ${kind} ${name ?? ''} in manifests/`);
  return found;
};

describe('the deployment manifests', () => {
  it('list every manifest file in a kustomization: the webhook registration apart, as step 2', () => {
    const [install, registration] = objects.filter((object) => object.kind === 'Kustomization');
    const inStep = (sub: string) => files.filter((name) => name.startsWith(sub) && !name.endsWith('kustomization.yaml')).map((name) => name.slice(sub.length));
    expect([...(install!.resources as string[])].sort()).toEqual(inStep('').filter((name) => !name.includes('/')).sort());
    expect(registration!.resources).toEqual(inStep('registration/'));
    expect(install!.resources).not.toContain('validatingwebhookconfiguration.yaml');
  });

  it('take the API server address of the webhook NetworkPolicy from the settings, never applied themselves', () => {
    const settings = objects.find((object) => object.kind === 'ConfigMap' && object.metadata.name === 'kube-guardrails-settings');
    expect(settings?.metadata.annotations['config.kubernetes.io/local-config']).toBe('true');
    expect(find('Kustomization').replacements).toEqual([
      {
        source: { kind: 'ConfigMap', name: 'kube-guardrails-settings', fieldPath: 'data.apiServerCIDR' },
        targets: [
          { select: { kind: 'NetworkPolicy', name: 'kube-guardrails' }, fieldPaths: ['spec.ingress.0.from.0.ipBlock.cidr', 'spec.egress.0.to.0.ipBlock.cidr'] },
          { select: { kind: 'NetworkPolicy', name: 'kube-guardrails-audit' }, fieldPaths: ['spec.egress.0.to.0.ipBlock.cidr'] },
        ],
      },
    ]);
  });

  it('register the webhook safely: v1 reviews, no side effects, a short timeout, kube-system and itself excluded by immutable name', () => {
    const [webhook] = find('ValidatingWebhookConfiguration').webhooks as Manifest[];
    expect(webhook).toMatchObject({ admissionReviewVersions: ['v1'], sideEffects: 'None', failurePolicy: 'Fail', matchPolicy: 'Equivalent' });
    expect(webhook!.timeoutSeconds).toBeLessThanOrEqual(5);
    expect(webhook!.clientConfig.service).toMatchObject({ name: 'kube-guardrails', namespace: 'kube-guardrails', path: '/validate' });
    expect(webhook!.namespaceSelector.matchExpressions).toContainEqual({
      key: 'kubernetes.io/metadata.name',
      operator: 'NotIn',
      values: ['kube-system', 'kube-guardrails'],
    });
    // The audit skips the same namespaces, so that it reports only what admission judges.
    expect(webhook!.namespaceSelector.matchExpressions).toContainEqual({ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: EXCLUDED_NAMESPACES });
  });

  it('register exactly the kinds the table of kinds says the webhook judges', () => {
    const [webhook] = find('ValidatingWebhookConfiguration').webhooks as Manifest[];
    expect(webhook!.rules).toEqual(webhookRules());
    expect(webhookRules().flatMap((rule) => rule.resources)).toEqual([
      'networkpolicies',
      'namespaces',
      'pods',
      'pods/status',
      'podtemplates',
      'replicationcontrollers',
      'deployments',
      'statefulsets',
      'daemonsets',
      'replicasets',
      'jobs',
      'cronjobs',
    ]);
  });

  it('run at least two hardened replicas with probes, requests and limits, spread across nodes', () => {
    const deployment = find('Deployment', 'kube-guardrails');
    const pod = deployment.spec.template.spec as Manifest;
    const [container] = pod.containers as Manifest[];
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
    expect(container!.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(container!.resources.requests).toBeDefined();
    expect(container!.resources.limits).toBeDefined();
    expect(container!.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container!.livenessProbe.httpGet.path).toBe('/healthz');
    expect(pod.topologySpreadConstraints[0].topologyKey).toBe('kubernetes.io/hostname');
    expect(find('PodDisruptionBudget').spec.minAvailable).toBe(1);
  });

  it('grant the cluster view exactly get, list and watch of what it watches, and nothing else', () => {
    const role = find('ClusterRole', 'kube-guardrails-view');
    expect(role.rules).toEqual([
      { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['namespaces', 'pods'], verbs: ['get', 'list', 'watch'] },
    ]);
    const binding = find('ClusterRoleBinding', 'kube-guardrails-view');
    expect(binding.roleRef).toMatchObject({ kind: 'ClusterRole', name: role.metadata.name });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'kube-guardrails', namespace: 'kube-guardrails' }]);
    expect(find('Deployment', 'kube-guardrails').spec.template.spec.automountServiceAccountToken).toBe(true);
  });

  it('grant the audit get, list and watch of exactly the kinds the webhook judges, its registration, its reports and its Lease', () => {
    const role = find('ClusterRole', 'kube-guardrails-audit');
    const reads = (role.rules as Manifest[]).filter((rule) => (rule.verbs as string[]).join() === 'get,list,watch');
    const granted = reads.flatMap((rule) => (rule.resources as string[]).map((resource) => `${(rule.apiGroups as string[])[0]}/${resource}`)).sort();
    expect(granted).toEqual(KINDS.filter((spec) => spec.admission).map((spec) => `${spec.group}/${spec.resource}`).sort());
    expect(role.rules).toContainEqual({ apiGroups: ['admissionregistration.k8s.io'], resources: ['validatingwebhookconfigurations'], resourceNames: ['kube-guardrails'], verbs: ['get'] });
    expect(role.rules).toContainEqual({ apiGroups: ['openreports.io'], resources: ['reports', 'clusterreports'], verbs: ['get', 'list', 'create', 'update', 'delete'] });
    expect((role.rules as Manifest[]).flatMap((rule) => rule.verbs as string[])).not.toContain('patch');
    const lease = find('Role', 'kube-guardrails-audit-lease');
    expect(lease.rules).toContainEqual({ apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['kube-guardrails-audit'], verbs: ['get', 'update'] });
    const pod = find('Deployment', 'kube-guardrails-audit').spec.template.spec as Manifest;
    expect(pod.serviceAccountName).toBe('kube-guardrails-audit');
    expect((pod.containers as Manifest[])[0]!.args).toEqual(expect.arrayContaining(['audit', '--watch']));
  });

  it('ship a policy ConfigMap that the webhook accepts', () => {
    const policyMap = objects.find((object) => object.kind === 'ConfigMap' && object.data?.['policy.yaml'] !== undefined);
    expect(() => parsePolicy(policyMap!.data['policy.yaml'] as string, RULES)).not.toThrow();
  });

  it('pass their own review: check finds nothing to deny in manifests/', () => {
    const loaded = files.map((name) => ({ name, objects: parseManifests(readFileSync(join(DIRECTORY, name), 'utf8'), name) }));
    const report = buildReport(evaluateBatch(loaded, { rules: RULES, policy: defaultPolicy(RULES), namespace: 'default', now: 0, viewOf: manifestView }));
    expect(report.summary.denied).toBe(0);
  });
});
