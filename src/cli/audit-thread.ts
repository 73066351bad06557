/**
 * The one-shot audit lists and judges on a worker thread with a bounded heap. V8 sizes a
 * heap by how fast a process allocates, not by what it keeps: the listed pages are
 * allocated fast and dropped at once, so on the main thread an audit of 10,000 objects
 * peaked at 220 MiB of RSS while keeping about 50 MiB; under a 96 MiB old generation the
 * same pass peaks near 166 MiB, a few tenths of a second slower. Should a larger cluster
 * need more, the worker runs out of memory and the pass runs again on the main thread
 * with the whole heap: nothing is lost but the time of the first try.
 */
import { Worker } from 'node:worker_threads';
import type { AuditConfig } from '../config.js';
import type { AuditResult } from '../engine/audit.js';
import { GuardrailsError, type ErrorCode } from '../errors.js';

/** The worker's old generation, in MiB: 10,000 objects keep about 50 MiB of it. */
export const AUDIT_HEAP_MIB = 96;
const YOUNG_GENERATION_MIB = 4;

/** What the worker is given: everything is data (the policy as its text, compiled there). */
export interface AuditJob {
  readonly config: AuditConfig;
  readonly policyText?: string;
  readonly now: number;
}

export type AuditJobReply = { readonly result: AuditResult } | { readonly error: { readonly code: ErrorCode; readonly message: string } };

/** The pass on a worker; 'out of memory' when it needed more than its heap. */
export function auditOnWorker(job: AuditJob): Promise<AuditResult | 'out of memory'> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./audit-worker.js', import.meta.url), {
      workerData: job,
      resourceLimits: { maxOldGenerationSizeMb: AUDIT_HEAP_MIB, maxYoungGenerationSizeMb: YOUNG_GENERATION_MIB },
    });
    worker.once('message', (reply: AuditJobReply) => {
      if ('result' in reply) resolve(reply.result);
      else reject(new GuardrailsError(reply.error.code, reply.error.message));
    });
    worker.once('error', (error: Error & { code?: string }) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') resolve('out of memory');
      else reject(error);
    });
    // Settled already when it answered or failed; otherwise it ended without a word, which is our bug.
    worker.once('exit', (code) => {
      reject(new GuardrailsError('KG_INTERNAL', `the audit worker ended (exit ${String(code)}) without a result`));
    });
  });
}
