/**
 * Verdict → AdmissionResponse, the one mapping table:
 *
 * | outcome                              | allowed | status                          | warnings / auditAnnotations |
 * |--------------------------------------|---------|---------------------------------|-----------------------------|
 * | no findings                          | true    | –                               | –                           |
 * | deny findings                        | false   | 403 Forbidden, "[rule] …" lines | warn and audit ride along   |
 * | warn findings only                   | true    | –                               | warnings "[rule] …"         |
 * | audit findings                       | as above| –                               | auditAnnotations[rule]      |
 * | a rule threw, onError deny (enforce) | false   | 500 InternalError               | –                           |
 * | a rule threw, onError allow          | as above| –                               | warning "[rule] skipped …"  |
 *
 * Every line is rendered from the finding's data. A warning keeps the rule id, the
 * value and the fix: it is `[rule] path: summary. fix` when that fits in WARNING_MAX
 * (the Kubernetes guidance), else without the path, and never longer than
 * WARNING_HARD_MAX (where the API server cuts). Warnings are plain text (no control
 * characters), under WARNINGS_TOTAL_MAX bytes together: the API server drops a warning
 * with a newline and truncates past 4096 characters in total. Under `enforcement:
 * audit` a warning for a deny rule says so: `[rule] (deny when enforced) …`.
 */
import { renderPath } from '../core/kubernetes/shape.js';
import type { Verdict, Violation } from '../engine/evaluate.js';
import { findingLine } from '../report/finding-text.js';
import { ADMISSION_API_VERSION, ADMISSION_REVIEW_KIND } from './review.js';

export const WARNING_MAX = 120;
export const WARNING_HARD_MAX = 256;
export const WARNINGS_TOTAL_MAX = 4000;
export const AUDIT_VALUE_MAX = 1024;
const DENY_MESSAGE_MAX = 8000;

export interface AdmissionResponse {
  readonly uid: string;
  readonly allowed: boolean;
  readonly status?: { readonly code: number; readonly reason: string; readonly message: string };
  readonly warnings?: readonly string[];
  readonly auditAnnotations?: Readonly<Record<string, string>>;
}

export interface AdmissionReviewResponse {
  readonly apiVersion: typeof ADMISSION_API_VERSION;
  readonly kind: typeof ADMISSION_REVIEW_KIND;
  readonly response: AdmissionResponse;
}

// eslint-disable-next-line no-control-regex -- the point is to remove control characters
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

export function plainText(text: string): string {
  return text.replace(CONTROL, ' ');
}

export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  // Never end on the first half of a surrogate pair.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  const space = cut.lastIndexOf(' ');
  return `${space > max * 0.6 ? cut.slice(0, space) : cut}…`;
}

/** The warning for one finding: the longest form that fits the guidance, else the shortest that fits the hard limit. */
function warningText(violation: Violation): string {
  const { finding } = violation;
  const prefix = violation.enforcedAction === 'deny' ? `[${violation.rule}] (deny when enforced) ` : `[${violation.rule}] `;
  const candidates = [`${prefix}${renderPath(finding.path)}: ${finding.summary}. ${finding.fix}`, `${prefix}${finding.summary}. ${finding.fix}`].map(plainText);
  const [withPath = prefix, withoutPath = prefix] = candidates;
  if (withPath.length <= WARNING_MAX) return withPath;
  return withoutPath.length <= WARNING_HARD_MAX ? withoutPath : truncate(withoutPath, WARNING_HARD_MAX);
}

function warningsOf(verdict: Verdict): string[] {
  const candidates = [
    ...verdict.violations.filter((v) => v.action === 'warn').map(warningText),
    ...verdict.failures.filter(() => !verdict.failuresDeny).map((f) => truncate(plainText(`[${f.rule}] skipped: internal error in the rule`), WARNING_MAX)),
  ];
  const unique = [...new Set(candidates)];
  const kept: string[] = [];
  let total = 0;
  for (const [index, warning] of unique.entries()) {
    const size = Buffer.byteLength(warning);
    if (total + size > WARNINGS_TOTAL_MAX - 100) {
      kept.push(`[kube-guardrails] ${unique.length - index} more warnings not shown`);
      break;
    }
    kept.push(warning);
    total += size;
  }
  return kept;
}

/** One annotation per rule with audit findings; keys are rule ids (≤ 63 characters, no '/'). */
function auditAnnotationsOf(verdict: Verdict): Record<string, string> {
  const byRule = new Map<string, string[]>();
  for (const { rule, finding } of verdict.violations.filter((v) => v.action === 'audit')) {
    byRule.set(rule, [...(byRule.get(rule) ?? []), plainText(`${renderPath(finding.path)}: ${finding.summary}`)]);
  }
  return Object.fromEntries([...byRule].map(([rule, lines]) => [rule, truncate(lines.join('; '), AUDIT_VALUE_MAX)]));
}

function statusOf(verdict: Verdict): AdmissionResponse['status'] {
  if (verdict.allowed) return undefined;
  const denials = verdict.violations.filter((v) => v.action === 'deny').map((v) => plainText(findingLine(v.rule, v.finding)));
  const failed = verdict.failuresDeny ? verdict.failures.map((f) => `[${f.rule}] internal error in the rule; the object is refused because onError is deny`) : [];
  if (denials.length === 0) {
    const rules = verdict.failures.map((f) => f.rule).join(', ');
    return { code: 500, reason: 'InternalError', message: `kube-guardrails could not judge this object: internal error in rule ${rules} (onError: deny)` };
  }
  return { code: 403, reason: 'Forbidden', message: truncate([...denials, ...failed].join('\n'), DENY_MESSAGE_MAX) };
}
export function admissionResponse(uid: string, verdict: Verdict | undefined): AdmissionReviewResponse {
  if (verdict === undefined) return { apiVersion: ADMISSION_API_VERSION, kind: ADMISSION_REVIEW_KIND, response: { uid, allowed: true } };
  const warnings = warningsOf(verdict);
  const annotations = auditAnnotationsOf(verdict);
  const status = statusOf(verdict);
  return {
    apiVersion: ADMISSION_API_VERSION,
    kind: ADMISSION_REVIEW_KIND,
    response: {
      uid,
      allowed: verdict.allowed,
      ...(status === undefined ? {} : { status }),
      ...(warnings.length === 0 ? {} : { warnings }),
      ...(Object.keys(annotations).length === 0 ? {} : { auditAnnotations: annotations }),
    },
  };
}
