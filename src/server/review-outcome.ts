/**
 * One AdmissionReview judged, as data: the answer and the facts the metrics and the
 * decision log are written from. Pure; the same function runs on the event loop for
 * ordinary reviews and on a review worker for large ones, and everything it returns
 * can cross to another thread (a failure's error travels as its name, message and stack).
 */
import { admissionResponse, withWarning, type AdmissionReviewResponse } from '../admission/response.js';
import { isJudged, isJudgedDeletion, parseReview, type ReviewRequest } from '../admission/review.js';
import { admissionKindOf, DEFAULT_NAMESPACE } from '../core/kubernetes/kinds.js';
import type { JsonRecord } from '../core/kubernetes/shape.js';
import { evaluate, type EffectiveAction, type Verdict } from '../engine/evaluate.js';
import type { Policy } from '../policy/policy.js';
import type { ClusterView, Rule } from '../rules/types.js';

export type Decision = 'allow' | 'deny' | 'skip';

export interface JudgeEnvironment {
  readonly rules: readonly Rule[];
  readonly policy: Policy;
  readonly view: ClusterView;
  /** Epoch milliseconds, read by the caller at the edge. */
  readonly now: number;
  readonly logBodies: boolean;
  /** Why the cluster view cannot be trusted now (read at the edge), when it cannot. */
  readonly viewStaleness?: string;
}

/** A rule's throw, as it can be logged on any thread. */
export interface FailureRecord {
  readonly rule: string;
  readonly error: { readonly name: string; readonly message: string; readonly stack?: string };
}

/** Who asked for what: read from the review before it is judged. */
export interface ReviewFacts {
  readonly uid: string;
  /** The bounded metric label: a kind the table judges, else "other". */
  readonly kindLabel: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly operation: string;
  readonly user: string;
  readonly dryRun: boolean;
}

export interface ReviewOutcome extends ReviewFacts {
  readonly decision: Decision;
  readonly answer: AdmissionReviewResponse;
  readonly violations: readonly { readonly rule: string; readonly action: EffectiveAction; readonly preexisting: boolean }[];
  readonly waived: readonly { readonly rule: string; readonly exemption: string; readonly reason: string; readonly expires?: string }[];
  readonly failures: readonly FailureRecord[];
  /** The object judged, only when the deployment asked for bodies in the log. */
  readonly object?: JsonRecord;
  /** The review was judged while the cluster view could not be trusted: the rules that need it skipped. */
  readonly viewStale?: true;
}

function decisionOf(verdict: Verdict | undefined): Decision {
  if (verdict === undefined) return 'skip';
  return verdict.allowed ? 'allow' : 'deny';
}

function judge(review: ReviewRequest, environment: JudgeEnvironment): Verdict | undefined {
  const base = {
    policy: environment.policy,
    view: environment.view,
    now: environment.now,
    defaultNamespace: review.namespace === '' ? DEFAULT_NAMESPACE : review.namespace,
    requester: { username: review.username, groups: review.groups },
  };
  // A DELETE is judged on the stored object, in the view without it; it is never refused.
  if (isJudgedDeletion(review) && review.oldObject !== undefined) return evaluate(environment.rules, review.oldObject, { ...base, deletion: true });
  if (!isJudged(review) || review.object === undefined) return undefined;
  return evaluate(environment.rules, review.object, {
    ...base,
    // An UPDATE is judged on what it changes: findings the stored object has do not refuse it.
    ...(review.operation === 'UPDATE' && review.oldObject !== undefined ? { previous: review.oldObject } : {}),
  });
}

/** Said to the requester when the view could not be trusted: what was not judged, and why. */
function staleViewWarning(staleness: string): string {
  return `[kube-guardrails] cluster view not current (${staleness}): the checks that need the cluster's policies, pods or namespaces were skipped`;
}

function failureRecord(rule: string, error: unknown): FailureRecord {
  if (!(error instanceof Error)) return { rule, error: { name: 'Error', message: String(error) } };
  return { rule, error: { name: error.name, message: error.message, ...(error.stack === undefined ? {} : { stack: error.stack }) } };
}

export function reviewFacts(review: ReviewRequest): ReviewFacts {
  const { group, version, kind } = review.kind;
  return {
    uid: review.uid,
    kindLabel: admissionKindOf(group, version, kind)?.kind ?? 'other',
    kind,
    namespace: review.namespace,
    name: review.name,
    operation: review.operation,
    user: review.username,
    dryRun: review.dryRun,
  };
}

function answerOf(uid: string, verdict: Verdict | undefined, stale: string | undefined): { answer: AdmissionReviewResponse; viewStale?: true } {
  const answer = admissionResponse(uid, verdict);
  return stale === undefined ? { answer } : { answer: withWarning(answer, staleViewWarning(stale)), viewStale: true };
}

/** Judges one parsed AdmissionReview. */
export function judgeParsedReview(review: ReviewRequest, environment: JudgeEnvironment): ReviewOutcome {
  const verdict = judge(review, environment);
  const stale = verdict?.judged === true ? environment.viewStaleness : undefined;
  return {
    ...reviewFacts(review),
    decision: decisionOf(verdict),
    ...answerOf(review.uid, verdict, stale),
    ...recordsOf(verdict),
    ...(environment.logBodies && verdict !== undefined && review.object !== undefined ? { object: review.object } : {}),
  };
}

function recordsOf(verdict: Verdict | undefined): Pick<ReviewOutcome, 'violations' | 'waived' | 'failures'> {
  if (verdict === undefined) return { violations: [], waived: [], failures: [] };
  return {
    violations: verdict.violations.map((v) => ({ rule: v.rule, action: v.action, preexisting: v.preexisting === true })),
    waived: verdict.waived.map((w) => ({ rule: w.rule, exemption: w.exemption, reason: w.reason, ...(w.expires === undefined ? {} : { expires: w.expires }) })),
    failures: verdict.failures.map((f) => failureRecord(f.rule, f.error)),
  };
}

/** Reads and judges one AdmissionReview body; throws KG_BAD_REVIEW when it is not one. */
export function judgeReview(body: unknown, environment: JudgeEnvironment): ReviewOutcome {
  return judgeParsedReview(parseReview(body), environment);
}
