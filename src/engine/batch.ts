/**
 * Batch evaluation: many objects, one view built from all of them, one policy →
 * verdicts placed in their sources, in input order. `check` calls it on manifests; a
 * cluster audit and a review diff call it on their own inputs.
 */
import type { ModelCache } from '../core/kubernetes/network-policy.js';
import type { FieldPath, JsonRecord } from '../core/kubernetes/shape.js';
import type { Policy } from '../policy/policy.js';
import type { ClusterView, ObjectSource, Rule } from '../rules/types.js';
import { evaluate, type Verdict } from './evaluate.js';

interface SourcedObject {
  readonly object: JsonRecord;
  /** 1-based line where the object starts. */
  readonly line: number;
  readonly lineOf: (path: FieldPath) => number;
  /** How it was read from its manifest (values kubectl dropped). */
  readonly source?: ObjectSource;
}

/** One input file (or stream) and the objects read from it. */
export interface LoadedFile {
  readonly name: string;
  readonly objects: readonly SourcedObject[];
}

export interface BatchContext {
  readonly rules: readonly Rule[];
  readonly policy: Policy;
  /** Namespace for objects that name none. */
  readonly namespace: string;
  /** Epoch milliseconds, for exemption expiry. */
  readonly now: number;
  /** Builds the view the objects are judged in, from the objects themselves (reading their NetworkPolicies into `models`). */
  readonly viewOf: (objects: readonly JsonRecord[], namespace: string, models: ModelCache) => ClusterView;
}

/** A verdict and where its object came from. */
export interface PlacedVerdict {
  readonly file: string;
  readonly line: number;
  readonly lineOf: (path: FieldPath) => number;
  readonly verdict: Verdict;
}

export interface BatchResult {
  readonly files: number;
  readonly verdicts: readonly PlacedVerdict[];
}

export function evaluateBatch(files: readonly LoadedFile[], context: BatchContext): BatchResult {
  const models: ModelCache = new WeakMap();
  const view = context.viewOf(
    files.flatMap((file) => file.objects.map((entry) => entry.object)),
    context.namespace,
    models,
  );
  return { files: files.length, verdicts: files.flatMap((file) => evaluateFile(file, context, { view, models })) };
}

/** One file's objects judged in a view built elsewhere (by a caller that saw every file), with the models it read. */
export function evaluateFile(file: LoadedFile, context: Omit<BatchContext, 'viewOf'>, built: { view: ClusterView; models?: ModelCache }): PlacedVerdict[] {
  const evaluation = { policy: context.policy, view: built.view, now: context.now, defaultNamespace: context.namespace, ...(built.models === undefined ? {} : { models: built.models }) };
  return file.objects.map((entry) => ({
    file: file.name,
    line: entry.line,
    lineOf: entry.lineOf,
    verdict: evaluate(context.rules, entry.object, entry.source === undefined ? evaluation : { ...evaluation, source: entry.source }),
  }));
}
