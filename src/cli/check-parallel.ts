/**
 * `check` on several cores: the files are shared among worker threads (check-worker.ts),
 * which first hand back the NetworkPolicies their files hold, then judge their files in
 * the view of all of them. The results come back in input order, as one thread would give
 * them; the first file that cannot be read, in input order, fails the run as it would.
 */
import { Worker } from 'node:worker_threads';
import type { ErrorCode } from '../errors.js';
import { GuardrailsError } from '../errors.js';
import type { ObjectResult } from '../report/report.js';

export interface InputFile {
  readonly name: string;
  readonly text: string;
}

export interface ScanRequest {
  readonly type: 'scan';
  readonly files: readonly (InputFile & { readonly index: number })[];
}

export interface ScannedFile {
  readonly index: number;
  readonly policies: readonly unknown[];
}

export interface JudgeRequest {
  readonly type: 'judge';
  /** Every file's NetworkPolicies, in input order. */
  readonly policies: readonly unknown[];
  readonly policyText?: string;
  readonly namespace: string;
  readonly now: number;
}

export type FileOutcome = { readonly index: number; readonly results: readonly ObjectResult[] } | { readonly index: number; readonly error: { readonly code: ErrorCode; readonly message: string } };

export type WorkerReply = { readonly type: 'scanned'; readonly files: readonly ScannedFile[] } | { readonly type: 'judged'; readonly files: readonly FileOutcome[] };

export interface ParallelOptions {
  readonly workers: number;
  readonly policyText?: string;
  readonly namespace: string;
  readonly now: number;
}

const WORKER_URL = new URL('./check-worker.js', import.meta.url);

/** Files dealt out by size, largest first to the lightest share, so the shares take about as long. */
function shares(files: readonly InputFile[], count: number): ScanRequest['files'][number][][] {
  const buckets = Array.from({ length: count }, () => ({ bytes: 0, files: [] as ScanRequest['files'][number][] }));
  const bySize = files.map((file, index) => ({ ...file, index })).sort((a, b) => b.text.length - a.text.length);
  for (const file of bySize) {
    const lightest = buckets.reduce((best, bucket) => (bucket.bytes < best.bytes ? bucket : best));
    lightest.files.push(file);
    lightest.bytes += file.text.length;
  }
  return buckets.map((bucket) => bucket.files).filter((share) => share.length > 0);
}

class CheckWorker {
  private readonly worker = new Worker(WORKER_URL);
  private pending: { resolve: (reply: WorkerReply) => void; reject: (error: Error) => void } | undefined;

  constructor() {
    this.worker.on('message', (reply: WorkerReply) => {
      this.settle()?.resolve(reply);
    });
    this.worker.on('error', (error: Error) => {
      this.settle()?.reject(error);
    });
    this.worker.on('exit', (code) => {
      this.settle()?.reject(new Error(`a check worker stopped (exit code ${String(code)})`));
    });
  }

  private settle(): CheckWorker['pending'] {
    const pending = this.pending;
    this.pending = undefined;
    return pending;
  }

  ask(request: ScanRequest | JudgeRequest): Promise<WorkerReply> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(request);
    });
  }

  stop(): Promise<number> {
    return this.worker.terminate();
  }
}

function scannedPolicies(replies: readonly WorkerReply[]): unknown[] {
  const files = replies.flatMap((reply) => (reply.type === 'scanned' ? reply.files : []));
  return files.sort((a, b) => a.index - b.index).flatMap((file) => file.policies);
}

function resultsInOrder(replies: readonly WorkerReply[]): ObjectResult[] {
  const outcomes = replies.flatMap((reply) => (reply.type === 'judged' ? reply.files : [])).sort((a, b) => a.index - b.index);
  const failed = outcomes.find((outcome) => 'error' in outcome);
  if (failed !== undefined && 'error' in failed) throw new GuardrailsError(failed.error.code, failed.error.message);
  return outcomes.flatMap((outcome) => ('results' in outcome ? outcome.results : []));
}

/** The results of every object of every file, in input order. */
export async function judgeInParallel(files: readonly InputFile[], options: ParallelOptions): Promise<ObjectResult[]> {
  const dealt = shares(files, options.workers);
  const workers = dealt.map(() => new CheckWorker());
  try {
    const scanned = await Promise.all(dealt.map((share, i) => workers[i]?.ask({ type: 'scan', files: share }) ?? Promise.reject(new Error('no worker'))));
    const judge: JudgeRequest = {
      type: 'judge',
      policies: scannedPolicies(scanned),
      namespace: options.namespace,
      now: options.now,
      ...(options.policyText === undefined ? {} : { policyText: options.policyText }),
    };
    return resultsInOrder(await Promise.all(workers.map((worker) => worker.ask(judge))));
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
  }
}
