/**
 * Which report writes bring the cluster to what an audit found: create the reports that
 * are missing, replace those whose results changed, delete those whose resource became
 * clean, left the scope or is gone. A report whose results are the same apart from their
 * timestamps is left alone, so that a steady cluster costs no writes (the peers' reports
 * churn etcd on every pass). Pure: the writer sends the plan.
 */
import { field, recordOf, stringOf, type JsonRecord } from '../core/kubernetes/shape.js';
import { reportCollectionPath, type DesiredReport, type ReportApi } from './openreports.js';

export interface ReportWrite {
  readonly method: 'POST' | 'PUT' | 'DELETE';
  /** The object's path (PUT, DELETE) or its collection's (POST). */
  readonly path: string;
  readonly body?: JsonRecord;
}

/** What a pass covered: the whole cluster, or one namespace (and its Namespace's ClusterReport). */
export interface PlanScope {
  readonly api: ReportApi;
  readonly namespace?: string;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(record[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** What a report says, timestamps and server-set metadata aside. */
function contentOf(report: JsonRecord): string {
  const metadata = recordOf(field(report, 'metadata'));
  const results = (field(report, 'results') as readonly JsonRecord[] | undefined) ?? [];
  return canonical({
    labels: field(metadata, 'labels'),
    ownerReferences: field(metadata, 'ownerReferences'),
    source: field(report, 'source'),
    scope: field(report, 'scope'),
    configuration: field(report, 'configuration'),
    summary: field(report, 'summary'),
    results: results.map((result) => ({ ...result, timestamp: undefined })),
  });
}

function pathOf(report: JsonRecord, api: ReportApi): string {
  const metadata = recordOf(field(report, 'metadata'));
  const namespace = stringOf(field(metadata, 'namespace'));
  return `${reportCollectionPath(api, namespace === '' ? undefined : namespace)}/${stringOf(field(metadata, 'name')) ?? ''}`;
}

function collectionOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/'));
}

/** Whether an existing report falls inside what the pass judged, and may be pruned by it. */
function coveredBy(report: JsonRecord, scope: PlanScope): boolean {
  if (scope.namespace === undefined) return true;
  const namespace = stringOf(field(recordOf(field(report, 'metadata')), 'namespace')) ?? '';
  if (namespace !== '') return namespace === scope.namespace;
  const subject = recordOf(field(report, 'scope'));
  return stringOf(field(subject, 'kind')) === 'Namespace' && stringOf(field(subject, 'name')) === scope.namespace;
}

/** The writes, deletions first (they free what the creations need least), then creations and replacements. */
export function planReportWrites(desired: readonly DesiredReport[], existing: readonly JsonRecord[], scope: PlanScope): ReportWrite[] {
  const existingByPath = new Map(existing.map((report) => [pathOf(report, scope.api), report]));
  const wanted = new Set(desired.map((report) => report.path));
  const deletions: ReportWrite[] = [...existingByPath]
    .filter(([path, report]) => !wanted.has(path) && coveredBy(report, scope))
    .map(([path]) => ({ method: 'DELETE', path }));
  const writes: ReportWrite[] = desired.flatMap((report): ReportWrite[] => {
    const current = existingByPath.get(report.path);
    if (current === undefined) return [{ method: 'POST', path: collectionOf(report.path), body: report.object }];
    if (contentOf(current) === contentOf(report.object)) return [];
    const metadata = { ...recordOf(field(report.object, 'metadata')), resourceVersion: stringOf(field(recordOf(field(current, 'metadata')), 'resourceVersion')) };
    return [{ method: 'PUT', path: report.path, body: { ...report.object, metadata } }];
  });
  return [...deletions, ...writes];
}
