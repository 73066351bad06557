/**
 * Verdicts placed in their sources: one entry per object, in input order, with
 * positions, and every finding as data (summary, fix, value, equivalent, details)
 * beside its rendered message. Every output format of `check` and of a cluster audit
 * renders this same report.
 */
import type { BatchResult, PlacedVerdict } from '../engine/batch.js';
import type { RuleFailure, Verdict, Violation, WaivedFinding } from '../engine/evaluate.js';
import { kindOf } from '../core/kubernetes/kinds.js';
import { renderPath, type FieldPath } from '../core/kubernetes/shape.js';
import type { DetailValue, Finding } from '../rules/types.js';
import { findingMessage } from './finding-text.js';

/** A finding as the JSON contract carries it: `path` and `message` as before, plus the data. */
interface ReportedFinding {
  readonly rule: string;
  readonly path: string;
  readonly message: string;
  readonly summary: string;
  readonly fix: string;
  readonly value?: string;
  readonly equivalent?: string;
  readonly details?: Readonly<Record<string, DetailValue>>;
  readonly line: number;
}

export interface ReportedViolation extends ReportedFinding {
  readonly action: Violation['action'];
  readonly enforcedAction?: Violation['action'];
  readonly expiredExemption?: Violation['expiredExemption'];
}

export interface ReportedWaiver extends ReportedFinding {
  readonly exemption: string;
  readonly reason: string;
  readonly expires?: string;
}

/** A verdict placed in its file: lines for the object and each finding. */
export interface ObjectResult extends Pick<Verdict, 'apiVersion' | 'kind' | 'namespace' | 'name' | 'judged' | 'allowed'> {
  readonly file: string;
  readonly line: number;
  readonly violations: readonly ReportedViolation[];
  readonly waived: readonly ReportedWaiver[];
  readonly failures: readonly Omit<RuleFailure, 'error'>[];
}

interface ReportSummary {
  readonly files: number;
  readonly objects: number;
  readonly judged: number;
  readonly denied: number;
  readonly deny: number;
  readonly warn: number;
  readonly audit: number;
  readonly waived: number;
  readonly failures: number;
  readonly allowed: boolean;
}

export interface CheckReport {
  readonly results: readonly ObjectResult[];
  readonly summary: ReportSummary;
}


function reportedFinding(rule: string, finding: Finding, lineOf: (path: FieldPath) => number): ReportedFinding {
  const reported: { -readonly [K in keyof ReportedFinding]: ReportedFinding[K] } = {
    rule,
    path: renderPath(finding.path),
    message: findingMessage(finding),
    summary: finding.summary,
    fix: finding.fix,
    line: lineOf(finding.path),
  };
  if (finding.value !== undefined) reported.value = finding.value;
  if (finding.equivalent !== undefined) reported.equivalent = finding.equivalent;
  if (finding.details !== undefined) reported.details = finding.details;
  return reported;
}

function reportedViolation(violation: Violation, lineOf: (path: FieldPath) => number): ReportedViolation {
  const { rule, action, enforcedAction, expiredExemption, finding } = violation;
  return {
    ...reportedFinding(rule, finding, lineOf),
    action,
    ...(enforcedAction === undefined ? {} : { enforcedAction }),
    ...(expiredExemption === undefined ? {} : { expiredExemption }),
  };
}

function reportedWaiver(waiver: WaivedFinding, lineOf: (path: FieldPath) => number): ReportedWaiver {
  const { rule, finding, exemption, reason, expires } = waiver;
  return { ...reportedFinding(rule, finding, lineOf), exemption, reason, ...(expires === undefined ? {} : { expires }) };
}

export function toObjectResult(placed: PlacedVerdict): ObjectResult {
  const { verdict, lineOf } = placed;
  return {
    file: placed.file,
    line: placed.line,
    apiVersion: verdict.apiVersion,
    kind: verdict.kind,
    namespace: verdict.namespace,
    name: verdict.name,
    judged: verdict.judged,
    allowed: verdict.allowed,
    violations: verdict.violations.map((violation) => reportedViolation(violation, lineOf)),
    waived: verdict.waived.map((waiver) => reportedWaiver(waiver, lineOf)),
    failures: verdict.failures.map(({ rule, message }) => ({ rule, message })),
  };
}

function countAction(results: readonly ObjectResult[], action: Violation['action']): number {
  return results.reduce((total, result) => total + result.violations.filter((v) => v.action === action).length, 0);
}

function summarize(results: readonly ObjectResult[], files: number): ReportSummary {
  const denied = results.filter((result) => !result.allowed).length;
  return {
    files,
    objects: results.length,
    judged: results.filter((result) => result.judged).length,
    denied,
    deny: countAction(results, 'deny'),
    warn: countAction(results, 'warn'),
    audit: countAction(results, 'audit'),
    waived: results.reduce((total, result) => total + result.waived.length, 0),
    failures: results.reduce((total, result) => total + result.failures.length, 0),
    allowed: denied === 0,
  };
}

/** The report of a batch: its verdicts as results, and the counts. */
export function buildReport(batch: BatchResult): CheckReport {
  return reportOf(batch.verdicts.map(toObjectResult), batch.files);
}

/** A report from results already placed (judged elsewhere, e.g. on worker threads), in input order. */
export function reportOf(results: readonly ObjectResult[], files: number): CheckReport {
  return { results, summary: summarize(results, files) };
}

/** `NetworkPolicy shop/allow-web`, or `Namespace shop` for a cluster-scoped kind. */

export function objectLabel(result: Pick<ObjectResult, 'apiVersion' | 'kind' | 'namespace' | 'name'>): string {
  const name = result.name === '' ? '(unnamed)' : result.name;
  return kindOf(result.apiVersion, result.kind)?.scope === 'Cluster' ? `${result.kind} ${name}` : `${result.kind} ${result.namespace}/${name}`;
}
