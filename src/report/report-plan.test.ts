import { describe, expect, it } from 'vitest';
import type { JsonRecord } from '../core/kubernetes/shape.js';
import type { AuditedObject, ObjectReference } from '../engine/audit.js';
import { reportOf, type DesiredReport, type ReportApi } from './openreports.js';
import type { ObjectResult, ReportedViolation } from './report.js';
import { planReportWrites } from './report-plan.js';

const EARLIER = Date.parse('2026-06-01T11:50:00Z');
const NOW = Date.parse('2026-06-01T12:00:00Z');

const WEB: ObjectReference = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'team-a', name: 'web', uid: 'uid-web' };
const API: ObjectReference = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'team-b', name: 'api', uid: 'uid-api' };
const TEAM_A: ObjectReference = { apiVersion: 'v1', kind: 'Namespace', namespace: '', name: 'team-a', uid: 'uid-ns-team-a' };
const TEAM_B: ObjectReference = { apiVersion: 'v1', kind: 'Namespace', namespace: '', name: 'team-b', uid: 'uid-ns-team-b' };

function violation(rule: string, action: ReportedViolation['action'] = 'deny'): ReportedViolation {
  return { rule, path: 'spec.template.spec.hostNetwork', message: `${rule}: finding`, summary: 'finding', fix: 'fix it', line: 0, action };
}

function audited(reference: ObjectReference, violations: readonly ReportedViolation[]): AuditedObject {
  const result: ObjectResult = { file: '', line: 0, apiVersion: reference.apiVersion, kind: reference.kind, namespace: reference.namespace, name: reference.name, judged: true, allowed: false, violations, waived: [], failures: [] };
  return { reference, result };
}

function desired(reference: ObjectReference, violations: readonly ReportedViolation[] = [violation('pod-host-network')], api: ReportApi = 'openreports', now = NOW): DesiredReport {
  const report = reportOf(audited(reference, violations), api, now);
  if (report === undefined) throw new Error('expected a report');
  return report;
}

let resourceVersion = 4000;

/** A report as the API server returns it from a list: what was written, plus server-set metadata. */
function stored(report: DesiredReport): JsonRecord {
  const metadata = report.object.metadata as Record<string, unknown>;
  resourceVersion += 1;
  return {
    ...report.object,
    metadata: {
      ...metadata,
      uid: `report-uid-${String(metadata.name)}`,
      resourceVersion: String(resourceVersion),
      generation: 1,
      creationTimestamp: '2026-06-01T11:50:00Z',
      managedFields: [{ manager: 'kube-guardrails', operation: 'Update', apiVersion: 'openreports.io/v1alpha1', time: '2026-06-01T11:50:00Z', fieldsType: 'FieldsV1', fieldsV1: {} }],
    },
  };
}

function storedVersion(report: JsonRecord): string {
  return (report.metadata as { resourceVersion: string }).resourceVersion;
}

describe('planReportWrites', () => {
  it('creates each missing report by a POST to its collection, the report as body', () => {
    const web = desired(WEB);
    const ns = desired(TEAM_A, [violation('namespace-no-default-deny', 'warn')]);
    expect(planReportWrites([web, ns], [], { api: 'openreports' })).toEqual([
      { method: 'POST', path: '/apis/openreports.io/v1alpha1/namespaces/team-a/reports', body: web.object },
      { method: 'POST', path: '/apis/openreports.io/v1alpha1/clusterreports', body: ns.object },
    ]);
  });

  it('writes nothing when the reports are as they were but for their timestamps and server-set metadata', () => {
    const existing = [stored(desired(WEB, undefined, 'openreports', EARLIER)), stored(desired(TEAM_A, [violation('namespace-no-default-deny', 'warn')], 'openreports', EARLIER))];
    const wanted = [desired(WEB), desired(TEAM_A, [violation('namespace-no-default-deny', 'warn')])];
    expect((wanted[0]?.object.results as { timestamp: unknown }[])[0]?.timestamp).not.toEqual((existing[0]?.results as { timestamp: unknown }[])[0]?.timestamp);
    expect(planReportWrites(wanted, existing, { api: 'openreports' })).toEqual([]);
  });

  it('writes nothing when the stored report holds the same keys in another order', () => {
    const report = desired(WEB);
    const reordered = Object.fromEntries(Object.entries(stored(report)).reverse());
    expect(planReportWrites([report], [reordered], { api: 'openreports' })).toEqual([]);
  });

  it('replaces a report whose results changed, carrying the resourceVersion it read', () => {
    const before = stored(desired(WEB, [violation('pod-host-network')], 'openreports', EARLIER));
    const after = desired(WEB, [violation('pod-host-network'), violation('pod-not-isolated', 'warn')]);
    const writes = planReportWrites([after], [before], { api: 'openreports' });
    expect(writes).toEqual([
      {
        method: 'PUT',
        path: '/apis/openreports.io/v1alpha1/namespaces/team-a/reports/kube-guardrails-uid-web',
        body: { ...after.object, metadata: { ...(after.object.metadata as object), resourceVersion: storedVersion(before) } },
      },
    ]);
  });

  it('replaces a report whose finding changed action, though the rules are the same', () => {
    const before = stored(desired(WEB, [violation('pod-host-port', 'warn')], 'openreports', EARLIER));
    const writes = planReportWrites([desired(WEB, [violation('pod-host-port', 'audit')])], [before], { api: 'openreports' });
    expect(writes.map((write) => write.method)).toEqual(['PUT']);
  });

  it('replaces a report someone edited (its labels or owner changed)', () => {
    const report = desired(WEB);
    const edited = stored(report);
    const metadata = edited.metadata as Record<string, unknown>;
    const relabelled = { ...edited, metadata: { ...metadata, labels: { 'app.kubernetes.io/managed-by': 'kube-guardrails' } } };
    const unowned = { ...edited, metadata: { ...metadata, ownerReferences: [] } };
    expect(planReportWrites([report], [relabelled], { api: 'openreports' }).map((write) => write.method)).toEqual(['PUT']);
    expect(planReportWrites([report], [unowned], { api: 'openreports' }).map((write) => write.method)).toEqual(['PUT']);
  });

  it('deletes reports no longer wanted (the resource became clean, or is gone), by their own path', () => {
    const stale = [stored(desired(API)), stored(desired(TEAM_B, [violation('namespace-no-default-deny', 'warn')]))];
    expect(planReportWrites([], stale, { api: 'openreports' })).toEqual([
      { method: 'DELETE', path: '/apis/openreports.io/v1alpha1/namespaces/team-b/reports/kube-guardrails-uid-api' },
      { method: 'DELETE', path: '/apis/openreports.io/v1alpha1/clusterreports/kube-guardrails-uid-ns-team-b' },
    ]);
  });

  it('plans deletions first, then creations and replacements in the order wanted', () => {
    const existing = [stored(desired(WEB, [violation('pod-host-network')], 'openreports', EARLIER)), stored(desired(API))];
    const wanted = [desired(TEAM_A, [violation('namespace-no-default-deny', 'warn')]), desired(WEB, [violation('required-labels')])];
    expect(planReportWrites(wanted, existing, { api: 'openreports' }).map((write) => `${write.method} ${write.path}`)).toEqual([
      'DELETE /apis/openreports.io/v1alpha1/namespaces/team-b/reports/kube-guardrails-uid-api',
      'POST /apis/openreports.io/v1alpha1/clusterreports',
      'PUT /apis/openreports.io/v1alpha1/namespaces/team-a/reports/kube-guardrails-uid-web',
    ]);
  });

  it('plans the wgpolicyk8s paths with that API', () => {
    const existing = [stored(desired(API, undefined, 'wgpolicyk8s')), stored(desired(WEB, [violation('pod-host-port', 'warn')], 'wgpolicyk8s', EARLIER))];
    const wanted = [desired(WEB, undefined, 'wgpolicyk8s'), desired(TEAM_A, [violation('namespace-no-default-deny', 'warn')], 'wgpolicyk8s')];
    expect(planReportWrites(wanted, existing, { api: 'wgpolicyk8s' }).map((write) => `${write.method} ${write.path}`)).toEqual([
      'DELETE /apis/wgpolicyk8s.io/v1alpha2/namespaces/team-b/policyreports/kube-guardrails-uid-api',
      'PUT /apis/wgpolicyk8s.io/v1alpha2/namespaces/team-a/policyreports/kube-guardrails-uid-web',
      'POST /apis/wgpolicyk8s.io/v1alpha2/clusterpolicyreports',
    ]);
  });
});

describe('planReportWrites: a pass over one namespace', () => {
  const everything = (): JsonRecord[] => [
    stored(desired(WEB)),
    stored(desired(API)),
    stored(desired(TEAM_A, [violation('namespace-no-default-deny', 'warn')])),
    stored(desired(TEAM_B, [violation('namespace-no-default-deny', 'warn')])),
  ];

  it('prunes its namespace’s reports and its Namespace’s ClusterReport, never another namespace’s', () => {
    const writes = planReportWrites([], everything(), { api: 'openreports', namespace: 'team-a' });
    expect(writes).toEqual([
      { method: 'DELETE', path: '/apis/openreports.io/v1alpha1/namespaces/team-a/reports/kube-guardrails-uid-web' },
      { method: 'DELETE', path: '/apis/openreports.io/v1alpha1/clusterreports/kube-guardrails-uid-ns-team-a' },
    ]);
  });

  it('keeps what it still finds, and leaves the other namespaces as they are', () => {
    const writes = planReportWrites([desired(WEB), desired(TEAM_A, [violation('namespace-no-default-deny', 'warn')])], everything(), { api: 'openreports', namespace: 'team-a' });
    expect(writes).toEqual([]);
  });

  it('never prunes a ClusterReport of another kind or of another Namespace', () => {
    const foreignCluster: JsonRecord = {
      apiVersion: 'openreports.io/v1alpha1',
      kind: 'ClusterReport',
      metadata: { name: 'kube-guardrails-uid-node', resourceVersion: '7', labels: { 'app.kubernetes.io/managed-by': 'kube-guardrails' } },
      scope: { apiVersion: 'v1', kind: 'Node', name: 'team-a', uid: 'uid-node' },
    };
    expect(planReportWrites([], [...everything(), foreignCluster], { api: 'openreports', namespace: 'team-b' }).map((write) => write.path)).toEqual([
      '/apis/openreports.io/v1alpha1/namespaces/team-b/reports/kube-guardrails-uid-api',
      '/apis/openreports.io/v1alpha1/clusterreports/kube-guardrails-uid-ns-team-b',
    ]);
  });

  it('a whole-cluster pass prunes every stale report', () => {
    expect(planReportWrites([], everything(), { api: 'openreports' })).toHaveLength(4);
  });
});
