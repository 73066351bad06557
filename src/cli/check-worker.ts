/**
 * The worker thread of check-thread.ts: a composition root of its own (functions cannot
 * cross to a thread, so it takes the rule set from the registry, as src/main.ts does).
 * It judges the texts it was given and hands back what the user is to see.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { GuardrailsError } from '../errors.js';
import { defaultPolicy, parsePolicy } from '../policy/policy.js';
import { RULES } from '../rules/index.js';
import { checkManifests } from './check.js';
import type { CheckJob, CheckJobReply } from './check-thread.js';

function run(job: CheckJob): CheckJobReply {
  try {
    const policy = job.policyText === undefined ? defaultPolicy(RULES) : parsePolicy(job.policyText, RULES);
    return { outcome: checkManifests([...job.texts], RULES, policy, job.settings) };
  } catch (error: unknown) {
    if (error instanceof GuardrailsError) return { error: { code: error.code, message: error.message } };
    throw error;
  }
}

parentPort?.postMessage(run(workerData as CheckJob));
