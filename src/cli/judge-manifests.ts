/**
 * Manifests judged as one batch, in two steps, so that memory holds the NetworkPolicies,
 * the Namespaces and one file's other objects, not the whole input: first the documents
 * that can hold one of those are read (the view every object is judged in needs them); then
 * each file in turn is read in full (reusing what the first step read), judged, placed
 * and dropped. Every document is decoded once. Results, and the first error, come in
 * input order, as a single pass would give them. Pure: texts in, results out.
 */
import { manifestView } from '../cluster/manifest-view.js';
import type { ModelCache } from '../core/kubernetes/network-policy.js';
import type { JsonRecord } from '../core/kubernetes/shape.js';
import { evaluateFile, type BatchContext } from '../engine/batch.js';
import { documentObjects, manifestDocuments, mayHoldViewObject, type ManifestObject, type StreamDocument } from '../manifests/parse-manifests.js';
import { toObjectResult, type ObjectResult } from '../report/report.js';

export interface ManifestText {
  readonly name: string;
  readonly text: string;
}

/** A document's objects, or the error reading it gave (thrown again where a single pass would meet it). */
type Read = { readonly objects: readonly ManifestObject[] } | { readonly error: unknown };

interface Split {
  readonly file: ManifestText;
  /** The documents, or the error splitting the file gave. */
  readonly documents: { readonly list: readonly StreamDocument[] } | { readonly error: unknown };
  /** The documents read in the first step, by index. */
  readonly read: Map<number, Read>;
}

function attempt<T>(work: () => T): T | { readonly error: unknown } {
  try {
    return work();
  } catch (error: unknown) {
    return { error };
  }
}

function firstStep(file: ManifestText): Split {
  const split = attempt(() => ({ list: manifestDocuments(file.text, file.name) }));
  const read = new Map<number, Read>();
  if ('list' in split) {
    split.list.forEach((document, index) => {
      if (mayHoldViewObject(document.text)) read.set(index, attempt(() => ({ objects: documentObjects(document, index, file.name) })));
    });
  }
  return { file, documents: split, read };
}

function viewObjectsOf(splits: readonly Split[]): JsonRecord[] {
  return splits.flatMap((split) => [...split.read.values()].flatMap((read) => ('objects' in read ? read.objects.map((entry) => entry.object) : [])));
}

/** The file's objects in order, reading what the first step left; the first error is thrown. */
function objectsOf(split: Split): ManifestObject[] {
  if ('error' in split.documents) throw split.documents.error;
  const objects: ManifestObject[] = [];
  split.documents.list.forEach((document, index) => {
    const read = split.read.get(index) ?? attempt(() => ({ objects: documentObjects(document, index, split.file.name) }));
    if ('error' in read) throw read.error;
    objects.push(...read.objects);
  });
  return objects;
}

/**
 * The results of every object of every file, in input order. The files are taken over:
 * the array is emptied as they are read, so that each text can be freed once judged.
 */
export function judgeManifests(files: ManifestText[], context: Omit<BatchContext, 'viewOf'>): ObjectResult[] {
  const splits = files.splice(0).map(firstStep);
  // Documents are read in file order in both steps, so the view lists policies in input order.
  const models: ModelCache = new WeakMap();
  const view = manifestView(viewObjectsOf(splits), context.namespace, models);
  const results: ObjectResult[] = [];
  for (let split = splits.shift(); split !== undefined; split = splits.shift()) {
    const objects = objectsOf(split);
    for (const placed of evaluateFile({ name: split.file.name, objects }, context, { view, models })) results.push(toObjectResult(placed));
  }
  return results;
}
