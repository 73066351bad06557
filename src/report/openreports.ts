/**
 * Audit results as policy reports: one report per resource with findings (a `Report` for
 * a namespaced resource, a `ClusterReport` for a Namespace), scoped to the resource and
 * owned by it, so the garbage collector removes it with the resource. OpenReports
 * (openreports.io/v1alpha1) by default; the wgpolicyk8s.io/v1alpha2 PolicyReport that
 * Policy Reporter reads on request: the result fields are the same in both.
 *
 * Each finding becomes one result: `fail` for what enforcement denies, `warn` for what it
 * warns or audits, `skip` for a finding an exemption waives, `error` for a rule that
 * failed. A clean resource gets no report (pass results are not written: the
 * configuration says so to consumers), and results are capped per report. Pure: the
 * writer plans and sends.
 */
import type { ObjectReference, AuditedObject } from '../engine/audit.js';
import type { JsonRecord } from '../core/kubernetes/shape.js';
import type { ReportedViolation, ReportedWaiver } from './report.js';

export const REPORT_APIS = ['openreports', 'wgpolicyk8s'] as const;
export type ReportApi = (typeof REPORT_APIS)[number];

interface ReportKind {
  readonly apiVersion: string;
  readonly namespaced: { readonly kind: string; readonly resource: string };
  readonly cluster: { readonly kind: string; readonly resource: string };
}

export const REPORT_KINDS: Readonly<Record<ReportApi, ReportKind>> = {
  openreports: { apiVersion: 'openreports.io/v1alpha1', namespaced: { kind: 'Report', resource: 'reports' }, cluster: { kind: 'ClusterReport', resource: 'clusterreports' } },
  wgpolicyk8s: { apiVersion: 'wgpolicyk8s.io/v1alpha2', namespaced: { kind: 'PolicyReport', resource: 'policyreports' }, cluster: { kind: 'ClusterPolicyReport', resource: 'clusterpolicyreports' } },
};

/** Results and reports carry this as their source; reports are labelled as managed by it. */
export const REPORT_SOURCE = 'kube-guardrails';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
/** The audited resource's uid, so a report can be found from its resource. */
export const RESOURCE_UID_LABEL = 'kube-guardrails.io/resource-uid';

/** At most this many results per report: 11 rules, each capped at 20 findings, stay far below etcd's object size. */
export const MAX_RESULTS = 100;

type ResultStatus = 'fail' | 'warn' | 'skip' | 'error';
const WRITTEN_STATUSES: readonly ResultStatus[] = ['fail', 'warn', 'error', 'skip'];
/** Which results a capped report keeps first. */
const KEPT_FIRST: readonly ResultStatus[] = ['fail', 'error', 'warn', 'skip'];

type Severity = 'high' | 'medium' | 'low' | 'info';

interface ReportResult {
  readonly source: string;
  readonly policy: string;
  readonly rule: string;
  readonly result: ResultStatus;
  readonly severity: Severity;
  readonly scored: boolean;
  readonly message: string;
  readonly timestamp: { readonly seconds: number; readonly nanos: number };
  readonly properties: Readonly<Record<string, string>>;
}

/** A report the audit wants in the cluster. */
export interface DesiredReport {
  readonly path: string;
  readonly object: JsonRecord;
}

/** Severity from what the finding does under enforcement: a denial is high, a warning medium, an audit entry low. */
function severityOf(action: ReportedViolation['action']): Severity {
  switch (action) {
    case 'deny':
      return 'high';
    case 'warn':
      return 'medium';
    case 'audit':
      return 'low';
  }
}

function findingProperties(finding: ReportedViolation | ReportedWaiver): Record<string, string> {
  const properties: Record<string, string> = { path: finding.path, summary: finding.summary, fix: finding.fix };
  if (finding.value !== undefined) properties.value = finding.value;
  if (finding.equivalent !== undefined) properties.equivalent = finding.equivalent;
  return properties;
}

function violationResult(violation: ReportedViolation, timestamp: ReportResult['timestamp']): ReportResult {
  // Judged as a new object under enforcement would be: audit enforcement does not make a denial a warning here.
  const enforced = violation.enforcedAction ?? violation.action;
  const properties: Record<string, string> = { ...findingProperties(violation), action: violation.action };
  if (violation.expiredExemption !== undefined) properties.expiredExemption = `${violation.expiredExemption.name} (expired ${violation.expiredExemption.expires})`;
  return {
    source: REPORT_SOURCE,
    policy: violation.rule,
    rule: violation.rule,
    result: enforced === 'deny' ? 'fail' : 'warn',
    severity: severityOf(enforced),
    scored: enforced === 'deny',
    message: violation.message,
    timestamp,
    properties,
  };
}

function waiverResult(waiver: ReportedWaiver, timestamp: ReportResult['timestamp']): ReportResult {
  const properties = { ...findingProperties(waiver), exemption: waiver.exemption, reason: waiver.reason, ...(waiver.expires === undefined ? {} : { expires: waiver.expires }) };
  return { source: REPORT_SOURCE, policy: waiver.rule, rule: waiver.rule, result: 'skip', severity: 'info', scored: false, message: waiver.message, timestamp, properties };
}

function failureResult(failure: { readonly rule: string; readonly message: string }, timestamp: ReportResult['timestamp']): ReportResult {
  return { source: REPORT_SOURCE, policy: failure.rule, rule: failure.rule, result: 'error', severity: 'info', scored: false, message: `the rule failed: ${failure.message}`, timestamp, properties: {} };
}

function summaryOf(results: readonly ReportResult[]): Record<'pass' | ResultStatus, number> {
  const summary = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
  for (const result of results) summary[result.result] += 1;
  return summary;
}

/** The name of a resource's report: its uid, prefixed so that another engine's per-resource report never collides. */
export function reportName(reference: ObjectReference): string {
  return `${REPORT_SOURCE}-${reference.uid}`;
}

export function reportCollectionPath(api: ReportApi, namespace: string | undefined): string {
  const spec = REPORT_KINDS[api];
  return namespace === undefined ? `/apis/${spec.apiVersion}/${spec.cluster.resource}` : `/apis/${spec.apiVersion}/namespaces/${namespace}/${spec.namespaced.resource}`;
}

/** The report of one audited resource, or undefined when it has nothing to report. */
export function reportOf(audited: AuditedObject, api: ReportApi, now: number): DesiredReport | undefined {
  const { reference, result } = audited;
  const timestamp = { seconds: Math.floor(now / 1000), nanos: 0 };
  // Past the cap, what enforcement would deny and rules that failed are kept before warnings and waivers.
  const results = [
    ...result.violations.map((violation) => violationResult(violation, timestamp)),
    ...result.failures.map((failure) => failureResult(failure, timestamp)),
    ...result.waived.map((waiver) => waiverResult(waiver, timestamp)),
  ]
    .sort((a, b) => KEPT_FIRST.indexOf(a.result) - KEPT_FIRST.indexOf(b.result))
    .slice(0, MAX_RESULTS);
  if (results.length === 0 || reference.uid === '') return undefined;
  const spec = REPORT_KINDS[api];
  const namespaced = reference.namespace !== '';
  const kind = namespaced ? spec.namespaced.kind : spec.cluster.kind;
  const name = reportName(reference);
  const scope = { apiVersion: reference.apiVersion, kind: reference.kind, name: reference.name, uid: reference.uid, ...(namespaced ? { namespace: reference.namespace } : {}) };
  const object: Record<string, unknown> = {
    apiVersion: spec.apiVersion,
    kind,
    metadata: {
      name,
      ...(namespaced ? { namespace: reference.namespace } : {}),
      labels: { [MANAGED_BY_LABEL]: REPORT_SOURCE, [RESOURCE_UID_LABEL]: reference.uid },
      // Not a controller reference: the report does not manage its resource; the garbage collector still removes it with it.
      ownerReferences: [{ apiVersion: reference.apiVersion, kind: reference.kind, name: reference.name, uid: reference.uid }],
    },
    scope,
    summary: summaryOf(results),
    results,
  };
  if (api === 'openreports') {
    object.source = REPORT_SOURCE;
    object.configuration = { limits: { maxResults: MAX_RESULTS, statusFilter: WRITTEN_STATUSES } };
  }
  return { path: `${reportCollectionPath(api, namespaced ? reference.namespace : undefined)}/${name}`, object };
}
