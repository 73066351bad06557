/**
 * The worker thread of audit-thread.ts: a composition root of its own (functions cannot
 * cross to a thread, so it takes the rule set from the registry, as src/main.ts does). It
 * lists and judges the cluster and hands back the results.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { GuardrailsError } from '../errors.js';
import { defaultPolicy, parsePolicy } from '../policy/policy.js';
import { RULES } from '../rules/index.js';
import { auditPass, connect } from './audit.js';
import type { AuditJob, AuditJobReply } from './audit-thread.js';

async function run(job: AuditJob): Promise<AuditJobReply> {
  try {
    const policy = job.policyText === undefined ? defaultPolicy(RULES) : parsePolicy(job.policyText, RULES);
    const api = await connect(job.config);
    return { result: await auditPass(api, job.config, { rules: RULES, policy, now: job.now }, new AbortController().signal) };
  } catch (error: unknown) {
    if (error instanceof GuardrailsError) return { error: { code: error.code, message: error.message } };
    throw error;
  }
}

parentPort?.postMessage(await run(workerData as AuditJob));
