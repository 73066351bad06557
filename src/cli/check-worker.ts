/**
 * The worker thread of check-thread.ts: a composition root of its own (functions cannot
 * cross to a thread, so it takes the rule set from the registry, as src/main.ts does).
 * It judges the texts it was given and hands back what the user is to see.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { defaultPolicy, parsePolicy } from '../policy/policy.js';
import { RULES } from '../rules/index.js';
import { replyOf } from './bounded-worker.js';
import { checkManifests } from './check.js';
import type { CheckJob } from './check-thread.js';

const job = workerData as CheckJob;
parentPort?.postMessage(
  await replyOf(() => {
    const policy = job.policyText === undefined ? defaultPolicy(RULES) : parsePolicy(job.policyText, RULES);
    return checkManifests([...job.texts], RULES, policy, job.settings);
  }),
);
