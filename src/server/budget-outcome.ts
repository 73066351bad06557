/**
 * The answer to a review that overran its budget (KG_REVIEW_BUDGET). Like a rule that
 * throws, it is our limit, not the object's fault: `onError: deny` refuses it under
 * enforce, naming the code and how to get the object judged; `onError: allow`, or audit
 * enforcement, admits it with a warning that it was not judged. It is always an answer,
 * never a timeout, so the API server does not wait out timeoutSeconds.
 */
import { ADMISSION_API_VERSION, ADMISSION_REVIEW_KIND } from '../admission/review.js';
import type { Policy } from '../policy/policy.js';
import type { ReviewFacts, ReviewOutcome } from './review-outcome.js';

export type BudgetReason = 'time' | 'memory' | 'crash';

const WHAT: Readonly<Record<BudgetReason, (limits: BudgetLimits) => string>> = {
  time: (limits) => `judging it took longer than the ${limits.budgetMs.toLocaleString('en-US')} ms budget`,
  memory: (limits) => `judging it needed more than the ${limits.heapMiB} MiB budget`,
  crash: () => 'the worker judging it stopped',
};

export interface BudgetLimits {
  readonly budgetMs: number;
  readonly heapMiB: number;
}

export function budgetOutcome(facts: ReviewFacts, policy: Policy, reason: BudgetReason, limits: BudgetLimits): ReviewOutcome {
  const { uid } = facts;
  const refuse = policy.onError === 'deny' && policy.enforcement === 'enforce';
  const what = `[kube-guardrails] KG_REVIEW_BUDGET: this object was not judged: ${WHAT[reason](limits)}`;
  const response = refuse
    ? { uid, allowed: false, status: { code: 500, reason: 'InternalError', message: `${what}; it is refused because onError is deny. Split it into smaller objects (fewer rules, peers or excepts per object).` } }
    : { uid, allowed: true, warnings: [`${what}; admitted because ${policy.onError === 'allow' ? 'onError is allow' : 'enforcement is audit'}`] };
  return {
    ...facts,
    decision: refuse ? 'deny' : 'allow',
    answer: { apiVersion: ADMISSION_API_VERSION, kind: ADMISSION_REVIEW_KIND, response },
    violations: [],
    waived: [],
    failures: [],
  };
}
