/**
 * The review pool: large AdmissionReviews are parsed and judged on worker threads, so
 * that no object, however costly, holds up the ordinary reviews on the event loop.
 *
 * - **Bounded queue.** At most `maxQueued` reviews wait for a worker; past that a review
 *   is refused at once with KG_OVERLOADED (the caller retries or applies its
 *   failurePolicy) instead of being answered after the caller has gone.
 * - **Deadlines.** A review whose caller's deadline has passed, or whose connection has
 *   closed, is dropped when its turn comes, unjudged.
 * - **Budget.** A worker that takes longer than `budgetMs` over one review, or runs out
 *   of its bounded heap, is stopped and replaced; the review is answered as a rule
 *   failure is (KG_REVIEW_BUDGET, onError decides), never left to time out.
 *
 * Workers compile the policy from its text (functions cannot cross threads) and are sent
 * the new text on every reload; each job carries the clock reading taken here.
 */
import { Worker } from 'node:worker_threads';
import { snapshotOf, type ViewSnapshot } from '../cluster/view-snapshot.js';
import { GuardrailsError, type ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Policy } from '../policy/policy.js';
import { budgetOutcome, type BudgetReason } from './budget-outcome.js';
import type { Metrics } from './metrics.js';
import type { ClusterView, Rule } from '../rules/types.js';
import { parseReviewJson } from './json-body.js';
import { judgeReview, type ReviewFacts, type ReviewOutcome } from './review-outcome.js';

export interface ReviewPoolSettings {
  /** Worker threads; each judges one review at a time. */
  readonly workers: number;
  /** Reviews that may wait for a worker; past that they are refused with KG_OVERLOADED. */
  readonly maxQueued: number;
  /** The most time one review may take on a worker. */
  readonly budgetMs: number;
  /** A worker's heap limit (old generation). */
  readonly heapMiB: number;
}

/** What the route knows of the caller: when it gives up, and whether it already has. */
export interface Caller {
  /** Epoch milliseconds after which an answer is of no use. */
  readonly deadlineAt: number;
  readonly signal: AbortSignal;
}

export interface JobEnvironment {
  readonly policy: Policy;
  readonly view: ClusterView;
  readonly viewStaleness?: string;
  readonly now: number;
  readonly logBodies: boolean;
}

/** Judges large review bodies somewhere other than the event loop. */
export interface LargeReviewJudge {
  judge(text: string, caller: Caller, environment: JobEnvironment): Promise<ReviewOutcome>;
  /** The policy text in force changed (undefined: the built-in default). */
  setPolicyText(text: string | undefined): void;
  close(): Promise<void>;
}

/** Messages to a worker. */
export type ToWorker =
  | { readonly type: 'policy'; readonly text: string | undefined }
  | { readonly type: 'judge'; readonly id: number; readonly text: string; readonly now: number; readonly logBodies: boolean }
  /** The answer to a job's facts: the part of the cluster view the review is judged in. */
  | { readonly type: 'view'; readonly id: number; readonly snapshot: ViewSnapshot; readonly staleness?: string };

/** Messages from a worker. */
export type FromWorker =
  | { readonly type: 'facts'; readonly id: number; readonly facts: ReviewFacts }
  | { readonly type: 'outcome'; readonly id: number; readonly outcome: ReviewOutcome }
  | { readonly type: 'refused'; readonly id: number; readonly code: ErrorCode; readonly message: string };

export interface WorkerSource {
  readonly url: URL;
  /** The policy text every new worker starts with. */
  readonly policyText: () => string | undefined;
}

interface Job {
  readonly id: number;
  readonly text: string;
  readonly caller: Caller;
  readonly environment: JobEnvironment;
  readonly resolve: (outcome: ReviewOutcome) => void;
  readonly reject: (error: Error) => void;
  readonly queuedAt: number;
  facts?: ReviewFacts;
}

interface Slot {
  worker: Worker;
  job?: Job;
  timer?: NodeJS.Timeout;
}

const MIN_YOUNG_GENERATION_MIB = 16;

export class ReviewPool implements LargeReviewJudge {
  private readonly queue: Job[] = [];
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly settings: ReviewPoolSettings,
    private readonly source: WorkerSource,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {
    for (let i = 0; i < settings.workers; i++) this.slots.push({ worker: this.spawn() });
    metrics.reviewQueueDepth.set(0);
  }

  judge(text: string, caller: Caller, environment: JobEnvironment): Promise<ReviewOutcome> {
    if (this.closed) return Promise.reject(new GuardrailsError('KG_OVERLOADED', 'the webhook is shutting down'));
    if (this.queue.length >= this.settings.maxQueued && this.idleSlot() === undefined) {
      this.metrics.shed.inc({ reason: 'queue_full' });
      return Promise.reject(new GuardrailsError('KG_OVERLOADED', `${this.queue.length} large reviews are already waiting to be judged`));
    }
    return new Promise<ReviewOutcome>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, text, caller, environment, resolve, reject, queuedAt: Date.now() });
      this.metrics.reviewQueueDepth.set(this.queue.length);
      this.dispatch();
    });
  }

  setPolicyText(text: string | undefined): void {
    for (const slot of this.slots) slot.worker.postMessage({ type: 'policy', text } satisfies ToWorker);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new GuardrailsError('KG_OVERLOADED', 'the webhook is shutting down'));
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private spawn(): Worker {
    const { heapMiB } = this.settings;
    const worker = new Worker(this.source.url, {
      workerData: { policyText: this.source.policyText() },
      resourceLimits: { maxOldGenerationSizeMb: heapMiB, maxYoungGenerationSizeMb: Math.max(MIN_YOUNG_GENERATION_MIB, Math.round(heapMiB / 8)) },
    });
    worker.on('message', (message: FromWorker) => {
      this.onMessage(worker, message);
    });
    worker.on('error', (error: Error & { code?: string }) => {
      this.onWorkerLost(worker, error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'crash', error);
    });
    worker.on('exit', (code) => {
      if (!this.closed) this.onWorkerLost(worker, 'crash', new Error(`review worker exited with code ${code}`));
    });
    return worker;
  }

  private idleSlot(): Slot | undefined {
    return this.slots.find((slot) => slot.job === undefined);
  }

  /** Hands queued jobs to idle workers, dropping those whose caller has gone or given up. */
  private dispatch(): void {
    for (let slot = this.idleSlot(); slot !== undefined && this.queue.length > 0; slot = this.idleSlot()) {
      const job = this.queue.shift() as Job;
      this.metrics.reviewQueueDepth.set(this.queue.length);
      this.metrics.queueDelay.observe({ queue: 'review_pool' }, (Date.now() - job.queuedAt) / 1000);
      if (job.caller.signal.aborted) {
        this.metrics.shed.inc({ reason: 'caller_gone' });
        job.reject(new GuardrailsError('KG_DEADLINE_PASSED', 'the caller closed the connection before the review was judged'));
        continue;
      }
      const remaining = job.caller.deadlineAt - Date.now();
      if (remaining <= 0) {
        this.metrics.shed.inc({ reason: 'deadline' });
        job.reject(new GuardrailsError('KG_DEADLINE_PASSED', 'the caller’s deadline passed before the review could be judged'));
        continue;
      }
      this.start(slot, job, Math.min(this.settings.budgetMs, remaining));
    }
  }

  private start(slot: Slot, job: Job, budgetMs: number): void {
    slot.job = job;
    slot.timer = setTimeout(() => {
      this.replace(slot, 'time');
    }, budgetMs);
    slot.worker.postMessage({ type: 'judge', id: job.id, text: job.text, now: job.environment.now, logBodies: job.environment.logBodies } satisfies ToWorker);
  }

  private onMessage(worker: Worker, message: FromWorker): void {
    const slot = this.slots.find((s) => s.worker === worker);
    const job = slot?.job;
    if (slot === undefined || job === undefined || job.id !== message.id) return;
    if (message.type === 'facts') {
      job.facts = message.facts;
      const { viewStaleness } = job.environment;
      // A Namespace's policies live in the namespace it names.
      const namespace = message.facts.namespace === '' ? message.facts.name : message.facts.namespace;
      const view: ToWorker = { type: 'view', id: job.id, snapshot: snapshotOf(job.environment.view, namespace), ...(viewStaleness === undefined ? {} : { staleness: viewStaleness }) };
      worker.postMessage(view);
      return;
    }
    this.finish(slot);
    if (message.type === 'outcome') job.resolve(message.outcome);
    else job.reject(new GuardrailsError(message.code, message.message));
    this.dispatch();
  }

  private finish(slot: Slot): void {
    clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.job = undefined;
  }

  /** Stops a worker that overran its budget (or died) and starts another in its place. */
  private replace(slot: Slot, reason: BudgetReason, error?: Error): void {
    const job = slot.job;
    const old = slot.worker;
    this.finish(slot);
    old.removeAllListeners();
    void old.terminate();
    if (this.closed) return;
    slot.worker = this.spawn();
    this.metrics.reviewBudgetExceeded.inc({ reason });
    if (job !== undefined) this.answerOverBudget(job, reason, error);
    this.dispatch();
  }

  private onWorkerLost(worker: Worker, reason: BudgetReason, error: Error): void {
    const slot = this.slots.find((s) => s.worker === worker);
    if (slot !== undefined) this.replace(slot, reason, error);
  }

  private answerOverBudget(job: Job, reason: BudgetReason, error: Error | undefined): void {
    this.logger.error({ uid: job.facts?.uid, kind: job.facts?.kind, namespace: job.facts?.namespace, name: job.facts?.name, reason, bytes: job.text.length, budgetMs: this.settings.budgetMs, heapMiB: this.settings.heapMiB, err: error, code: 'KG_REVIEW_BUDGET' }, 'review over budget');
    // Without a uid there is no AdmissionReview to answer: the API server gets an HTTP error and applies its failurePolicy.
    if (job.facts === undefined) job.reject(new GuardrailsError('KG_REVIEW_BUDGET', 'the review could not even be read within the budget'));
    else job.resolve(budgetOutcome(job.facts, job.environment.policy, reason, this.settings));
  }
}

/**
 * Large reviews judged on the calling thread: for tests that drive the server through
 * inject() without worker threads, and nothing else.
 */
export function sameThreadJudge(rules: readonly Rule[]): LargeReviewJudge {
  return {
    judge: (text, _caller, environment) => Promise.resolve().then(() => judgeReview(parseReviewJson(text), { rules, ...environment })),
    setPolicyText: () => undefined,
    close: () => Promise.resolve(),
  };
}
