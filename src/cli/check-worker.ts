/**
 * A worker thread of `check`: the composition root of one share of the files (it takes
 * the rule set from the registry, as src/main.ts does). Two steps, driven by
 * check-parallel.ts:
 * 1. `scan`: read only the documents that can hold a NetworkPolicy and hand those objects
 *    back: together they are the view every object is judged in;
 * 2. `judge`: with every file's NetworkPolicies, read each file again in full, judge each
 *    object and hand back its result; an object is dropped once judged, so memory holds
 *    one file at a time, not the whole input.
 */
import { parentPort } from 'node:worker_threads';
import { manifestView } from '../cluster/manifest-view.js';
import type { JsonRecord } from '../core/kubernetes/shape.js';
import { evaluateFile } from '../engine/batch.js';
import { GuardrailsError } from '../errors.js';
import { mayHoldNetworkPolicy, parseManifests } from '../manifests/parse-manifests.js';
import { defaultPolicy, parsePolicy } from '../policy/policy.js';
import { toObjectResult } from '../report/report.js';
import { RULES } from '../rules/index.js';
import type { FileOutcome, JudgeRequest, ScanRequest, ScannedFile, WorkerReply } from './check-parallel.js';

let files: readonly ScanRequest['files'][number][] = [];

function scan(request: ScanRequest): WorkerReply {
  files = request.files;
  const scanned: ScannedFile[] = files.map((file) => {
    try {
      return { index: file.index, policies: parseManifests(file.text, file.name, mayHoldNetworkPolicy).map((entry) => entry.object) };
    } catch {
      // The judging step reads the whole file again and reports the error in its place.
      return { index: file.index, policies: [] };
    }
  });
  return { type: 'scanned', files: scanned };
}

function judge(request: JudgeRequest): WorkerReply {
  const policy = request.policyText === undefined ? defaultPolicy(RULES) : parsePolicy(request.policyText, RULES);
  const view = manifestView(request.policies as readonly JsonRecord[], request.namespace);
  const context = { rules: RULES, policy, namespace: request.namespace, now: request.now };
  const outcomes: FileOutcome[] = files.map((file) => {
    try {
      const objects = parseManifests(file.text, file.name);
      return { index: file.index, results: evaluateFile({ name: file.name, objects }, context, view).map(toObjectResult) };
    } catch (error: unknown) {
      if (error instanceof GuardrailsError) return { index: file.index, error: { code: error.code, message: error.message } };
      throw error;
    }
  });
  files = [];
  return { type: 'judged', files: outcomes };
}

parentPort?.on('message', (request: ScanRequest | JudgeRequest) => {
  parentPort?.postMessage(request.type === 'scan' ? scan(request) : judge(request));
});
