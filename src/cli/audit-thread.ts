/**
 * The one-shot audit lists and judges on a worker thread with a bounded heap
 * (bounded-worker.ts): on the main thread an audit of 10,000 objects peaked at 220 MiB of
 * RSS while keeping about 50 MiB; under a 96 MiB old generation the same pass peaks near
 * 171 MiB, about a second slower. Should a larger cluster need more, the pass runs again
 * on the main thread with the whole heap: nothing is lost but the time of the first try.
 */
import type { AuditConfig } from '../config.js';
import type { AuditResult } from '../engine/audit.js';
import { onBoundedWorker } from './bounded-worker.js';

/** The worker's old generation, in MiB: 10,000 objects keep about 50 MiB of it. */
export const AUDIT_HEAP_MIB = 96;

/** What the worker is given: everything is data (the policy as its text, compiled there). */
export interface AuditJob {
  readonly config: AuditConfig;
  readonly policyText?: string;
  readonly now: number;
}

/** The pass on a worker; 'out of memory' when it needed more than its heap. */
export function auditOnWorker(job: AuditJob): Promise<AuditResult | 'out of memory'> {
  return onBoundedWorker<AuditResult>(new URL('./audit-worker.js', import.meta.url), job, { oldGenerationMiB: AUDIT_HEAP_MIB, youngGenerationMiB: 4 });
}
