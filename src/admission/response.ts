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
import type { Verdict, Violation, WaivedFinding } from '../engine/evaluate.js';
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

/** What a warning says before the finding: why it is not a denial, where that applies. */
function warningTag(violation: Violation): string {
  if (violation.preexisting === true) return '(predates this change) ';
  return violation.enforcedAction === 'deny' ? '(deny when enforced) ' : '';
}

/** The longest form that fits the guidance, else the form without the path, within the hard limit. */
function fitWarning(prefix: string, path: string, body: string): string {
  const withPath = plainText(`${prefix}${path}: ${body}`);
  if (withPath.length <= WARNING_MAX) return withPath;
  const withoutPath = plainText(`${prefix}${body}`);
  return withoutPath.length <= WARNING_HARD_MAX ? withoutPath : truncate(withoutPath, WARNING_HARD_MAX);
}

function warningText(violation: Violation): string {
  const { finding } = violation;
  return fitWarning(`[${violation.rule}] ${warningTag(violation)}`, renderPath(finding.path), `${finding.summary}. ${finding.fix}`);
}

/** `exemption "legacy" (until 2027-01-31)`: which exemption waived a finding. */
function exemptionPhrase(waiver: WaivedFinding): string {
  return `exemption ${JSON.stringify(waiver.exemption)}${waiver.expires === undefined ? '' : ` (until ${waiver.expires})`}`;
}

/** A waived finding still reaches the requester, naming the exemption. */
function waivedWarning(waiver: WaivedFinding): string {
  return fitWarning(`[${waiver.rule}] (waived by ${exemptionPhrase(waiver)}) `, renderPath(waiver.finding.path), waiver.finding.summary);
}

function warningsOf(verdict: Verdict): string[] {
  const candidates = [
    ...verdict.violations.filter((v) => v.action === 'warn').map(warningText),
    ...verdict.waived.map(waivedWarning),
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

/** The audit annotation a violation goes under, if any: audit findings, would-be denials and preexisting ones. */
function annotationKey(violation: Violation): string | undefined {
  if (violation.action === 'audit') return violation.rule;
  if (violation.preexisting === true) return `${violation.rule}.preexisting`;
  return violation.enforcedAction === 'deny' ? `${violation.rule}.would-deny` : undefined;
}

/**
 * Audit annotations, keyed by rule id (≤ 63 characters, no '/'): `<rule>` for audit
 * findings, `<rule>.would-deny` for denials that audit enforcement softened,
 * `<rule>.preexisting` for findings an update did not cause, `<rule>.waived` for
 * findings an exemption waived, naming it and its reason.
 */
function auditAnnotationsOf(verdict: Verdict): Record<string, string> {
  const byKey = new Map<string, string[]>();
  const add = (key: string, line: string): void => {
    byKey.set(key, [...(byKey.get(key) ?? []), plainText(line)]);
  };
  for (const violation of verdict.violations) {
    const key = annotationKey(violation);
    if (key !== undefined) add(key, `${renderPath(violation.finding.path)}: ${violation.finding.summary}`);
  }
  for (const waiver of verdict.waived) {
    add(`${waiver.rule}.waived`, `${exemptionPhrase(waiver)}, ${waiver.reason}: ${renderPath(waiver.finding.path)}: ${waiver.finding.summary}`);
  }
  return Object.fromEntries([...byKey].map(([key, lines]) => [key, truncate(lines.join('; '), AUDIT_VALUE_MAX)]));
}

/** `[rule] path: summary. fix`, naming an exemption that would have waived it but expired. */
function denialLine(violation: Violation): string {
  const expired = violation.expiredExemption;
  const note = expired === undefined ? '' : ` (exemption ${JSON.stringify(expired.name)} expired ${expired.expires})`;
  return plainText(`${findingLine(violation.rule, violation.finding)}${note}`);
}

function statusOf(verdict: Verdict): AdmissionResponse['status'] {
  if (verdict.allowed) return undefined;
  const denials = verdict.violations.filter((v) => v.action === 'deny').map(denialLine);
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

/** The answer with one more warning, put first so that the cap on warnings never drops it. */
export function withWarning(answer: AdmissionReviewResponse, warning: string): AdmissionReviewResponse {
  const text = truncate(plainText(warning), WARNING_HARD_MAX);
  return { ...answer, response: { ...answer.response, warnings: [text, ...(answer.response.warnings ?? [])] } };
}
