/**
 * A review worker of review-pool.ts: a composition root of its own (functions cannot
 * cross to a thread, so it takes the rule set from the registry, as src/main.ts does,
 * and compiles the policy from the text it is sent). It reads and judges one review at a
 * time, telling the pool who asked (the facts) before it judges, so that a review that
 * overruns its budget can still be answered by uid; the pool answers the facts with the
 * part of the cluster view the review is judged in.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { parseReview } from '../admission/review.js';
import { snapshotView } from '../cluster/view-snapshot.js';
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

type ViewMessage = Extract<ToWorker, { type: 'view' }>;

/** Jobs waiting for the pool's answer to their facts. */
const waitingForView = new Map<number, (message: ViewMessage) => void>();

function viewFor(id: number): Promise<ViewMessage> {
  return new Promise((resolve) => waitingForView.set(id, resolve));
}

async function judge(job: Extract<ToWorker, { type: 'judge' }>): Promise<void> {
  try {
    const review = parseReview(parseReviewJson(job.text));
    const answered = viewFor(job.id);
    send({ type: 'facts', id: job.id, facts: reviewFacts(review) });
    const { snapshot, staleness } = await answered;
    const environment = { rules: RULES, policy, view: snapshotView(snapshot), now: job.now, logBodies: job.logBodies, ...(staleness === undefined ? {} : { viewStaleness: staleness }) };
    send({ type: 'outcome', id: job.id, outcome: judgeParsedReview(review, environment) });
  } catch (error: unknown) {
    if (!(error instanceof GuardrailsError)) throw error;
    send({ type: 'refused', id: job.id, code: error.code, message: error.message });
  }
}

parentPort?.on('message', (message: ToWorker) => {
  if (message.type === 'policy') policy = compile(message.text);
  else if (message.type === 'view') {
    waitingForView.get(message.id)?.(message);
    waitingForView.delete(message.id);
  } else void judge(message);
});
