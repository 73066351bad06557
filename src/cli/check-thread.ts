/**
 * Large inputs are judged on a worker thread with a bounded heap. V8 sizes a heap by
 * how fast it allocates, not by what it keeps: left alone, `check` of 100,000 objects
 * peaked at 1.7 GB while keeping about 600 MB. A worker's heap limit (about six times
 * the input, at least 512 MiB) makes it collect instead, at no cost in time. Should the
 * input need more than that, the worker runs out of memory and the batch is judged again
 * on the main thread, with the whole heap: nothing is lost. Small inputs (under 4 MiB)
 * stay on the main thread, where a worker's start would cost more than it saves.
 */
import { totalmem } from 'node:os';
import type { Policy } from '../policy/policy.js';
import type { Rule } from '../rules/types.js';
import { onBoundedWorker } from './bounded-worker.js';
import { checkManifests, type CheckOutcome, type RenderSettings } from './check.js';
import type { ManifestText } from './judge-manifests.js';

const THREAD_MIN_BYTES = 4 * 1024 * 1024;
const MIB = 1024 * 1024;

/** What the worker is given: everything is data (the policy as its text, compiled there). */
export interface CheckJob {
  readonly texts: readonly ManifestText[];
  readonly policyText?: string;
  readonly settings: RenderSettings;
}

function heapLimitMiB(bytes: number): number {
  return Math.round(Math.min(Math.max(256 + (6 * bytes) / MIB, 512), (0.6 * totalmem()) / MIB));
}

function onWorker(job: CheckJob, bytes: number): Promise<CheckOutcome | 'out of memory'> {
  return onBoundedWorker<CheckOutcome>(new URL('./check-worker.js', import.meta.url), job, { oldGenerationMiB: heapLimitMiB(bytes), youngGenerationMiB: 32 });
}

export interface ThreadIo {
  readonly rules: readonly Rule[];
  readonly stderr: (text: string) => void;
}

/** The outcome of checking the texts, on a worker for a large input. */
export async function checkOffThread(texts: ManifestText[], policy: { readonly policy: Policy; readonly text?: string }, settings: RenderSettings, io: ThreadIo): Promise<CheckOutcome> {
  const bytes = texts.reduce((total, file) => total + file.text.length, 0);
  if (bytes >= THREAD_MIN_BYTES) {
    const outcome = await onWorker({ texts, settings, ...(policy.text === undefined ? {} : { policyText: policy.text }) }, bytes);
    if (outcome !== 'out of memory') return outcome;
    io.stderr(`kube-guardrails: note: the input needed more than ${heapLimitMiB(bytes)} MiB; judging it again with the whole heap\n`);
  }
  return checkManifests(texts, io.rules, policy.policy, settings);
}
