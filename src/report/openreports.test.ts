import { describe, expect, it } from 'vitest';
import { NAMESPACE_NAME_LABEL } from '../core/kubernetes/kinds.js';
import { MATCH_EVERYTHING } from '../core/kubernetes/label-selector.js';
import { auditObjects, type AuditedObject, type ObjectReference } from '../engine/audit.js';
import { defaultPolicy } from '../policy/policy.js';
import { RULES } from '../rules/index.js';
import { MANAGED_BY_LABEL, MAX_RESULTS, REPORT_KINDS, REPORT_SOURCE, reportCollectionPath, reportName, reportOf, RESOURCE_UID_LABEL } from './openreports.js';
import type { ObjectResult, ReportedViolation, ReportedWaiver } from './report.js';

const NOW = Date.parse('2026-06-01T12:00:00.750Z');
const SECONDS = Math.floor(NOW / 1000);

const DEPLOYMENT: ObjectReference = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'team-a', name: 'web', uid: '6f1c2a4e-8d3b-4f7a-9c1e-2b5d8a7f3e10' };
const NAMESPACE: ObjectReference = { apiVersion: 'v1', kind: 'Namespace', namespace: '', name: 'team-a', uid: 'b2e4c6a8-1d3f-4e5a-8b7c-9d0e1f2a3b4c' };

function violation(rule: string, action: ReportedViolation['action'], extra: Partial<ReportedViolation> = {}): ReportedViolation {
  return {
    rule,
    path: 'spec.template.spec.hostNetwork',
    message: `${rule}: the pod shares the node's network namespace`,
    summary: "the pod shares the node's network namespace",
    fix: 'Remove hostNetwork: true.',
    line: 0,
    action,
    ...extra,
  };
}

function waiver(rule: string, extra: Partial<ReportedWaiver> = {}): ReportedWaiver {
  return {
    rule,
    path: 'spec.ingress[0].from[0].ipBlock.cidr',
    message: `${rule}: ingress from the whole internet`,
    summary: 'ingress from the whole internet',
    fix: 'Narrow the CIDR.',
    value: '0.0.0.0/0',
    line: 0,
    exemption: 'legacy-edge',
    reason: 'JIRA-123: public load balancer',
    ...extra,
  };
}

function audited(reference: ObjectReference, findings: Partial<Pick<ObjectResult, 'violations' | 'waived' | 'failures'>>): AuditedObject {
  const violations = findings.violations ?? [];
  const result: ObjectResult = {
    file: '/apis/apps/v1/namespaces/team-a/deployments/web',
    line: 0,
    apiVersion: reference.apiVersion,
    kind: reference.kind,
    namespace: reference.namespace,
    name: reference.name,
    judged: true,
    allowed: !violations.some((candidate) => candidate.action === 'deny'),
    violations,
    waived: findings.waived ?? [],
    failures: findings.failures ?? [],
  };
  return { reference, result };
}

interface Result {
  source: string;
  policy: string;
  rule: string;
  result: string;
  severity: string;
  scored: boolean;
  message: string;
  timestamp: { seconds: number; nanos: number };
  properties: Record<string, string>;
}

function resultsOf(report: ReturnType<typeof reportOf>): Result[] {
  return (report?.object.results ?? []) as Result[];
}

describe('reportOf: results', () => {
  it('makes a denial a scored, high-severity fail', () => {
    const [result] = resultsOf(reportOf(audited(DEPLOYMENT, { violations: [violation('pod-host-network', 'deny')] }), 'openreports', NOW));
    expect(result).toEqual({
      source: REPORT_SOURCE,
      policy: 'pod-host-network',
      rule: 'pod-host-network',
      result: 'fail',
      severity: 'high',
      scored: true,
      message: "pod-host-network: the pod shares the node's network namespace",
      timestamp: { seconds: SECONDS, nanos: 0 },
      properties: { path: 'spec.template.spec.hostNetwork', summary: "the pod shares the node's network namespace", fix: 'Remove hostNetwork: true.', action: 'deny' },
    });
  });

  it('makes a warning a medium warn and an audit entry a low warn, neither scored', () => {
    const results = resultsOf(reportOf(audited(DEPLOYMENT, { violations: [violation('pod-not-isolated', 'warn'), violation('pod-host-port', 'audit')] }), 'openreports', NOW));
    expect(results.map(({ rule, result, severity, scored, properties }) => [rule, result, severity, scored, properties.action])).toEqual([
      ['pod-not-isolated', 'warn', 'medium', false, 'warn'],
      ['pod-host-port', 'warn', 'low', false, 'audit'],
    ]);
  });

  it('reports what enforcement would deny as a fail, even when audit enforcement softened it to a warning', () => {
    const softened = violation('pod-host-network', 'warn', { enforcedAction: 'deny' });
    const [result] = resultsOf(reportOf(audited(DEPLOYMENT, { violations: [softened] }), 'openreports', NOW));
    expect(result).toMatchObject({ result: 'fail', severity: 'high', scored: true, properties: { action: 'warn' } });
  });

  it('names an expired exemption beside the finding it no longer waives', () => {
    const expired = violation('netpol-world-ingress', 'deny', { expiredExemption: { name: 'legacy-edge', expires: '2026-05-31' } });
    const [result] = resultsOf(reportOf(audited(DEPLOYMENT, { violations: [expired] }), 'openreports', NOW));
    expect(result?.properties.expiredExemption).toBe('legacy-edge (expired 2026-05-31)');
  });

  it('carries value and equivalent when the finding has them, and leaves them out when not', () => {
    const withValue = violation('netpol-world-ingress', 'deny', { path: 'spec.ingress[0].from[0].ipBlock.cidr', value: '1.2.3.4/0', equivalent: '0.0.0.0/0' });
    const results = resultsOf(reportOf(audited(DEPLOYMENT, { violations: [withValue, violation('pod-host-network', 'deny')] }), 'openreports', NOW));
    expect(results[0]?.properties).toMatchObject({ path: 'spec.ingress[0].from[0].ipBlock.cidr', value: '1.2.3.4/0', equivalent: '0.0.0.0/0', fix: 'Remove hostNetwork: true.' });
    expect(results[1]?.properties).not.toHaveProperty('value');
    expect(results[1]?.properties).not.toHaveProperty('equivalent');
    expect(results[1]?.properties).not.toHaveProperty('expiredExemption');
  });

  it('makes a waived finding a skip with its exemption, reason and expiry', () => {
    const results = resultsOf(reportOf(audited(DEPLOYMENT, { waived: [waiver('netpol-world-ingress', { expires: '2026-12-31' }), waiver('netpol-broad-cidr')] }), 'openreports', NOW));
    expect(results[0]).toEqual({
      source: REPORT_SOURCE,
      policy: 'netpol-world-ingress',
      rule: 'netpol-world-ingress',
      result: 'skip',
      severity: 'info',
      scored: false,
      message: 'netpol-world-ingress: ingress from the whole internet',
      timestamp: { seconds: SECONDS, nanos: 0 },
      properties: { path: 'spec.ingress[0].from[0].ipBlock.cidr', summary: 'ingress from the whole internet', fix: 'Narrow the CIDR.', value: '0.0.0.0/0', exemption: 'legacy-edge', reason: 'JIRA-123: public load balancer', expires: '2026-12-31' },
    });
    expect(results[1]?.properties).not.toHaveProperty('expires');
  });

  it('makes a rule that failed an error result', () => {
    const [result] = resultsOf(reportOf(audited(DEPLOYMENT, { failures: [{ rule: 'pod-not-isolated', message: 'Error: view exploded' }] }), 'openreports', NOW));
    expect(result).toEqual({
      source: REPORT_SOURCE,
      policy: 'pod-not-isolated',
      rule: 'pod-not-isolated',
      result: 'error',
      severity: 'info',
      scored: false,
      message: 'the rule failed: Error: view exploded',
      timestamp: { seconds: SECONDS, nanos: 0 },
      properties: {},
    });
  });

  it('lists what enforcement denies, then rule failures, then warnings, then waived findings, and counts each status in the summary', () => {
    const report = reportOf(
      audited(DEPLOYMENT, {
        violations: [violation('pod-host-network', 'deny'), violation('required-labels', 'deny'), violation('pod-not-isolated', 'warn'), violation('pod-host-port', 'audit')],
        failures: [{ rule: 'netpol-dns-egress', message: 'boom' }],
        waived: [waiver('netpol-world-ingress')],
      }),
      'openreports',
      NOW,
    );
    expect(resultsOf(report).map((result) => `${result.result} ${result.rule}`)).toEqual([
      'fail pod-host-network',
      'fail required-labels',
      'error netpol-dns-egress',
      'warn pod-not-isolated',
      'warn pod-host-port',
      'skip netpol-world-ingress',
    ]);
    expect(report?.object.summary).toEqual({ pass: 0, fail: 2, warn: 2, error: 1, skip: 1 });
  });
});

describe('reportOf: the report', () => {
  it('is a Report in the resource’s namespace, named after its uid, scoped to and owned by it', () => {
    const report = reportOf(audited(DEPLOYMENT, { violations: [violation('pod-host-network', 'deny')] }), 'openreports', NOW);
    const name = `kube-guardrails-${DEPLOYMENT.uid}`;
    expect(reportName(DEPLOYMENT)).toBe(name);
    expect(report?.path).toBe(`/apis/openreports.io/v1alpha1/namespaces/team-a/reports/${name}`);
    expect(report?.object).toMatchObject({
      apiVersion: 'openreports.io/v1alpha1',
      kind: 'Report',
      metadata: {
        name,
        namespace: 'team-a',
        labels: { 'app.kubernetes.io/managed-by': 'kube-guardrails', 'kube-guardrails.io/resource-uid': DEPLOYMENT.uid },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: DEPLOYMENT.uid }],
      },
      scope: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'team-a', name: 'web', uid: DEPLOYMENT.uid },
      source: 'kube-guardrails',
      configuration: { limits: { maxResults: MAX_RESULTS, statusFilter: ['fail', 'warn', 'error', 'skip'] } },
    });
  });

  it('owns the report without controlling it, so the garbage collector removes it with its resource', () => {
    const report = reportOf(audited(DEPLOYMENT, { violations: [violation('pod-host-network', 'deny')] }), 'openreports', NOW);
    const [owner] = (report?.object.metadata as { ownerReferences: Record<string, unknown>[] }).ownerReferences;
    expect(owner).not.toHaveProperty('controller');
    expect(owner).not.toHaveProperty('blockOwnerDeletion');
  });

  it('is a ClusterReport for a Namespace, with no namespace anywhere', () => {
    const report = reportOf(audited(NAMESPACE, { violations: [violation('namespace-no-default-deny', 'warn')] }), 'openreports', NOW);
    expect(report?.path).toBe(`/apis/openreports.io/v1alpha1/clusterreports/kube-guardrails-${NAMESPACE.uid}`);
    expect(report?.object).toMatchObject({ apiVersion: 'openreports.io/v1alpha1', kind: 'ClusterReport', scope: { apiVersion: 'v1', kind: 'Namespace', name: 'team-a', uid: NAMESPACE.uid } });
    expect(report?.object.metadata).not.toHaveProperty('namespace');
    expect(report?.object.scope).not.toHaveProperty('namespace');
    expect((report?.object.metadata as { ownerReferences: unknown }).ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Namespace', name: 'team-a', uid: NAMESPACE.uid }]);
  });

  it('is a PolicyReport or ClusterPolicyReport with the wgpolicyk8s API, with no report-level source or configuration', () => {
    const namespaced = reportOf(audited(DEPLOYMENT, { violations: [violation('pod-host-network', 'deny')] }), 'wgpolicyk8s', NOW);
    expect(namespaced?.path).toBe(`/apis/wgpolicyk8s.io/v1alpha2/namespaces/team-a/policyreports/kube-guardrails-${DEPLOYMENT.uid}`);
    expect(namespaced?.object).toMatchObject({ apiVersion: 'wgpolicyk8s.io/v1alpha2', kind: 'PolicyReport', summary: { fail: 1 } });
    expect(namespaced?.object).not.toHaveProperty('source');
    expect(namespaced?.object).not.toHaveProperty('configuration');
    // Each result still names its source: Policy Reporter groups by it.
    expect(resultsOf(namespaced)[0]?.source).toBe('kube-guardrails');
    const cluster = reportOf(audited(NAMESPACE, { violations: [violation('namespace-no-default-deny', 'warn')] }), 'wgpolicyk8s', NOW);
    expect(cluster?.path).toBe(`/apis/wgpolicyk8s.io/v1alpha2/clusterpolicyreports/kube-guardrails-${NAMESPACE.uid}`);
    expect(cluster?.object.kind).toBe('ClusterPolicyReport');
    expect(cluster?.object).not.toHaveProperty('source');
  });

  it('has the same results in both APIs', () => {
    const object = audited(DEPLOYMENT, { violations: [violation('pod-host-network', 'deny')], waived: [waiver('netpol-world-ingress')] });
    const open = reportOf(object, 'openreports', NOW);
    const wg = reportOf(object, 'wgpolicyk8s', NOW);
    expect(wg?.object.results).toEqual(open?.object.results);
    expect(wg?.object.summary).toEqual(open?.object.summary);
    expect(wg?.object.scope).toEqual(open?.object.scope);
  });

  it('is not made for a clean resource', () => {
    expect(reportOf(audited(DEPLOYMENT, {}), 'openreports', NOW)).toBeUndefined();
    expect(reportOf(audited(NAMESPACE, {}), 'wgpolicyk8s', NOW)).toBeUndefined();
  });

  it('is not made for a resource without a uid (it could be neither named nor owned)', () => {
    expect(reportOf(audited({ ...DEPLOYMENT, uid: '' }, { violations: [violation('pod-host-network', 'deny')] }), 'openreports', NOW)).toBeUndefined();
  });

  it(`holds at most ${MAX_RESULTS} results, denials first, the summary counting those it holds`, () => {
    const many = Array.from({ length: MAX_RESULTS + 30 }, (_, i) => violation('netpol-world-ingress', i % 2 === 0 ? 'deny' : 'warn', { path: `spec.ingress[${i}]` }));
    const report = reportOf(audited(DEPLOYMENT, { violations: many, waived: [waiver('netpol-broad-cidr')] }), 'openreports', NOW);
    const results = resultsOf(report);
    expect(results).toHaveLength(MAX_RESULTS);
    // 65 denials (even indexes) all kept, then the first 35 warnings (odd indexes 1 to 69); the waiver is cut.
    expect(results.filter((result) => result.result === 'fail')).toHaveLength(65);
    expect(results.at(-1)?.properties.path).toBe('spec.ingress[69]');
    expect(report?.object.summary).toEqual({ pass: 0, fail: 65, warn: 35, error: 0, skip: 0 });
  });

  it(`keeps exactly ${MAX_RESULTS} results when that is all there are`, () => {
    const exact = Array.from({ length: MAX_RESULTS }, (_, i) => violation('pod-host-port', 'warn', { path: `spec.containers[${i}]` }));
    expect(resultsOf(reportOf(audited(DEPLOYMENT, { violations: exact }), 'openreports', NOW))).toHaveLength(MAX_RESULTS);
  });

  it('stamps every result with the pass’s time in whole seconds', () => {
    const results = resultsOf(reportOf(audited(DEPLOYMENT, { violations: [violation('pod-host-network', 'deny')], waived: [waiver('netpol-world-ingress')] }), 'openreports', 1_780_315_200_999));
    expect(results.map((result) => result.timestamp)).toEqual([
      { seconds: 1_780_315_200, nanos: 0 },
      { seconds: 1_780_315_200, nanos: 0 },
    ]);
  });
});

describe('reportCollectionPath and REPORT_KINDS', () => {
  it('are where each API serves its reports', () => {
    expect(reportCollectionPath('openreports', 'team-a')).toBe('/apis/openreports.io/v1alpha1/namespaces/team-a/reports');
    expect(reportCollectionPath('openreports', undefined)).toBe('/apis/openreports.io/v1alpha1/clusterreports');
    expect(reportCollectionPath('wgpolicyk8s', 'team-a')).toBe('/apis/wgpolicyk8s.io/v1alpha2/namespaces/team-a/policyreports');
    expect(reportCollectionPath('wgpolicyk8s', undefined)).toBe('/apis/wgpolicyk8s.io/v1alpha2/clusterpolicyreports');
    expect(REPORT_KINDS.openreports.cluster.kind).toBe('ClusterReport');
    expect(MANAGED_BY_LABEL).toBe('app.kubernetes.io/managed-by');
    expect(RESOURCE_UID_LABEL).toBe('kube-guardrails.io/resource-uid');
  });
});

describe('reportOf after a real audit', () => {
  it('reports a Deployment’s findings on the Deployment, and nothing for what is clean', () => {
    const labels = { app: 'agent' };
    const objects = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', uid: NAMESPACE.uid, labels: { [NAMESPACE_NAME_LABEL]: 'team-a' } } },
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace: 'team-a', uid: 'uid-netpol' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } },
      {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'agent', namespace: 'team-a', uid: 'uid-ds-agent', labels },
        spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { hostNetwork: true, containers: [{ name: 'agent', image: 'registry.example.com/agent:2.0' }] } } },
      },
    ];
    const result = auditObjects(objects, { rules: RULES, policy: defaultPolicy(RULES), now: NOW, scope: { namespaceSelector: MATCH_EVERYTHING, objectSelector: MATCH_EVERYTHING } });
    const reports = result.audited.flatMap((entry) => reportOf(entry, 'openreports', NOW) ?? []);
    expect(reports.map((report) => report.path)).toEqual(['/apis/openreports.io/v1alpha1/namespaces/team-a/reports/kube-guardrails-uid-ds-agent']);
    const [report] = reports;
    expect(report?.object).toMatchObject({ scope: { kind: 'DaemonSet', name: 'agent', uid: 'uid-ds-agent' }, summary: { fail: 1, warn: 0 } });
    expect(resultsOf(report)).toEqual([expect.objectContaining({ rule: 'pod-host-network', result: 'fail', properties: expect.objectContaining({ path: 'spec.template.spec.hostNetwork' }) })]);
  });
});
