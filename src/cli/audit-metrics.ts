/**
 * Metrics of the continuous audit, on a registry of its own: the violations found by the
 * last pass (per rule, namespace and result, replaced whole at each pass so a fixed
 * object's count falls to nothing), the passes and their duration, report writes, and
 * whether this replica holds the Lease. Labels are bounded: rule ids, the cluster's
 * namespaces, a few outcomes.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AuditResult } from '../engine/audit.js';
import { policyMetrics } from '../server/metrics.js';

export interface AuditMetrics {
  readonly registry: Registry;
  readonly violations: Gauge<'rule' | 'namespace' | 'result'>;
  readonly objects: Gauge;
  readonly passes: Counter<'outcome'>;
  readonly passDuration: Histogram;
  readonly reportWrites: Counter<'operation' | 'outcome'>;
  readonly leader: Gauge;
  readonly policyWarnings: Gauge;
  readonly policyReloads: Counter<'outcome'>;
  readonly ruleFailures: Counter<'rule'>;
}

const PASS_BUCKETS_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export function createAuditMetrics(options: { readonly defaultMetrics: boolean }): AuditMetrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'kube_guardrails_' });
  const registers = [registry];
  return {
    registry,
    violations: new Gauge({
      name: 'kube_guardrails_audit_violations',
      help: 'Findings on what runs in the cluster, as of the last audit pass, by rule, namespace (a Namespace counts in its own) and result (fail: enforcement denies it; warn).',
      labelNames: ['rule', 'namespace', 'result'],
      registers,
    }),
    objects: new Gauge({ name: 'kube_guardrails_audit_objects', help: 'Objects the last audit pass judged (those made by a judged workload and excluded namespaces aside).', registers }),
    passes: new Counter({ name: 'kube_guardrails_audit_passes_total', help: 'Audit passes by outcome (success, failure).', labelNames: ['outcome'], registers }),
    passDuration: new Histogram({ name: 'kube_guardrails_audit_pass_duration_seconds', help: 'Time of one audit pass: judging and writing reports.', buckets: PASS_BUCKETS_SECONDS, registers }),
    reportWrites: new Counter({
      name: 'kube_guardrails_audit_report_writes_total',
      help: 'Report writes by operation (create, replace, delete) and outcome (success, failure).',
      labelNames: ['operation', 'outcome'],
      registers,
    }),
    leader: new Gauge({ name: 'kube_guardrails_audit_leader', help: 'Whether this replica holds the audit Lease and writes reports (1) or not (0).', registers }),
    ...policyMetrics(registers),
  };
}

/** Counts of the pass's findings by rule, namespace and result. Pure. */
export function violationCounts(result: AuditResult): Map<string, { readonly rule: string; readonly namespace: string; readonly result: 'fail' | 'warn'; count: number }> {
  const counts = new Map<string, { readonly rule: string; readonly namespace: string; readonly result: 'fail' | 'warn'; count: number }>();
  for (const audited of result.audited) {
    const namespace = audited.reference.namespace === '' ? audited.reference.name : audited.reference.namespace;
    for (const violation of audited.result.violations) {
      const outcome = (violation.enforcedAction ?? violation.action) === 'deny' ? 'fail' : 'warn';
      const key = `${violation.rule}\u0000${namespace}\u0000${outcome}`;
      const entry = counts.get(key);
      if (entry === undefined) counts.set(key, { rule: violation.rule, namespace, result: outcome, count: 1 });
      else entry.count += 1;
    }
  }
  return counts;
}

/** The gauges after a pass: replaced whole, so what was fixed or deleted no longer counts. */
export function recordPass(metrics: AuditMetrics, result: AuditResult): void {
  metrics.violations.reset();
  for (const entry of violationCounts(result).values()) metrics.violations.set({ rule: entry.rule, namespace: entry.namespace, result: entry.result }, entry.count);
  metrics.objects.set(result.audited.length);
  for (const audited of result.audited) for (const failure of audited.result.failures) metrics.ruleFailures.inc({ rule: failure.rule });
}
