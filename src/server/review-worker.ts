/**
 * A review worker of review-pool.ts: a composition root of its own (functions cannot
 * cross to a thread, so it takes the rule set from the registry, as src/main.ts does,
 * and compiles the policy from the text it is sent). It reads and judges one review at a
 * time, telling the pool who asked (the facts) before it judges, so that a review that
 * overruns its budget can still be answered by uid.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { parseReview } from '../admission/review.js';
import { NO_VIEW } from '../engine/evaluate.js';
import { GuardrailsError } from '../errors.js';
import { defaultPolicy, parsePolicy, type Policy } from '../policy/policy.js';
import { RULES } from '../rules/index.js';
import { parseReviewJson } from './json-body.js';
import type { FromWorker, ToWorker } from './review-pool.js';
import { judgeParsedReview, reviewFacts } from './review-outcome.js';

function compile(text: string | undefined): Policy {
  return text === undefined ? defaultPolicy(RULES) : parsePolicy(text, RULES);
}

let policy = compile((workerData as { policyText?: string }).policyText);

function send(message: FromWorker): void {
  parentPort?.postMessage(message);
}

function judge(job: Extract<ToWorker, { type: 'judge' }>): void {
  try {
    const review = parseReview(parseReviewJson(job.text));
    send({ type: 'facts', id: job.id, facts: reviewFacts(review) });
    send({ type: 'outcome', id: job.id, outcome: judgeParsedReview(review, { rules: RULES, policy, view: NO_VIEW, now: job.now, logBodies: job.logBodies }) });
  } catch (error: unknown) {
    if (!(error instanceof GuardrailsError)) throw error;
    send({ type: 'refused', id: job.id, code: error.code, message: error.message });
  }
}

parentPort?.on('message', (message: ToWorker) => {
  if (message.type === 'policy') policy = compile(message.text);
  else judge(message);
});
