/**
 * The result of `check`: one entry per object, in input order, with positions. Every
 * output format renders this same report.
 */
import type { RuleFailure, Verdict, Violation, WaivedFinding } from '../engine/evaluate.js';

export interface ReportedViolation extends Violation {
  readonly line: number;
}

export interface ReportedWaiver extends WaivedFinding {
  readonly line: number;
}

/** A verdict placed in its file: lines for the object and each finding. */
export interface ObjectResult extends Pick<Verdict, 'apiVersion' | 'kind' | 'namespace' | 'name' | 'judged' | 'allowed'> {
  readonly file: string;
  readonly line: number;
  readonly violations: readonly ReportedViolation[];
  readonly waived: readonly ReportedWaiver[];
  readonly failures: readonly Omit<RuleFailure, 'error'>[];
}

export interface ReportSummary {
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

export function toObjectResult(file: string, line: number, lineOf: (path: string) => number, verdict: Verdict): ObjectResult {
  return {
    file,
    line,
    apiVersion: verdict.apiVersion,
    kind: verdict.kind,
    namespace: verdict.namespace,
    name: verdict.name,
    judged: verdict.judged,
    allowed: verdict.allowed,
    violations: verdict.violations.map((violation) => ({ ...violation, line: lineOf(violation.path) })),
    waived: verdict.waived.map((waiver) => ({ ...waiver, line: lineOf(waiver.path) })),
    failures: verdict.failures.map(({ rule, message }) => ({ rule, message })),
  };
}

function countAction(results: readonly ObjectResult[], action: Violation['action']): number {
  return results.reduce((total, result) => total + result.violations.filter((v) => v.action === action).length, 0);
}

export function summarize(results: readonly ObjectResult[], files: number): ReportSummary {
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

export function objectLabel(result: Pick<ObjectResult, 'kind' | 'namespace' | 'name'>): string {
  const name = result.name === '' ? '(unnamed)' : result.name;
  return result.kind === 'Namespace' ? `Namespace ${name}` : `${result.kind} ${result.namespace}/${name}`;
}
