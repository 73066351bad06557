/**
 * One job on a worker thread with a bounded heap, for `check` and `audit`: V8 sizes a heap
 * by how fast it allocates, not by what it keeps, and a worker's limit makes it collect
 * instead. The worker answers with one message: a result, or an error with a stable code.
 * Running out of memory is an answer too ('out of memory': the caller judges again with
 * the whole heap); a worker that ends without a word is our bug, reported as KG_INTERNAL.
 */
import { Worker } from 'node:worker_threads';
import { GuardrailsError, type ErrorCode } from '../errors.js';

export type WorkerReply<R> = { readonly result: R } | { readonly error: { readonly code: ErrorCode; readonly message: string } };

export interface HeapLimits {
  readonly oldGenerationMiB: number;
  readonly youngGenerationMiB: number;
}

export function onBoundedWorker<R>(script: URL, job: unknown, limits: HeapLimits): Promise<R | 'out of memory'> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(script, {
      workerData: job,
      resourceLimits: { maxOldGenerationSizeMb: limits.oldGenerationMiB, maxYoungGenerationSizeMb: limits.youngGenerationMiB },
    });
    worker.once('message', (reply: WorkerReply<R>) => {
      if ('result' in reply) resolve(reply.result);
      else reject(new GuardrailsError(reply.error.code, reply.error.message));
    });
    worker.once('error', (error: Error & { code?: string }) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') resolve('out of memory');
      else reject(error);
    });
    // Settled already when it answered or failed; otherwise it ended without a word.
    worker.once('exit', (code) => {
      reject(new GuardrailsError('KG_INTERNAL', `a worker thread ended (exit ${String(code)}) without a result`));
    });
  });
}

/** What a worker posts: its job's result, or the GuardrailsError it met as data (anything else is thrown: a bug). */
export async function replyOf<R>(work: () => R | Promise<R>): Promise<WorkerReply<R>> {
  try {
    return { result: await work() };
  } catch (error: unknown) {
    if (error instanceof GuardrailsError) return { error: { code: error.code, message: error.message } };
    throw error;
  }
}
