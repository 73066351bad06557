/**
 * The worker thread of audit-thread.ts: a composition root of its own (functions cannot
 * cross to a thread, so it takes the rule set from the registry, as src/main.ts does). It
 * lists and judges the cluster and hands back the results.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { defaultPolicy, parsePolicy } from '../policy/policy.js';
import { RULES } from '../rules/index.js';
import { auditPass, connect } from './audit.js';
import type { AuditJob } from './audit-thread.js';
import { replyOf } from './bounded-worker.js';

const job = workerData as AuditJob;
parentPort?.postMessage(
  await replyOf(async () => {
    const policy = job.policyText === undefined ? defaultPolicy(RULES) : parsePolicy(job.policyText, RULES);
    return auditPass(await connect(job.config), job.config, { rules: RULES, policy, now: job.now }, new AbortController().signal);
  }),
);
