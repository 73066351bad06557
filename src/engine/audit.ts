/**
 * A cluster audit: every object the webhook would judge, listed from the cluster, judged
 * with the same engine and policy in a view built from the same lists. Pure: the lists in,
 * results out; the cluster edge lists and the report writer writes.
 *
 * What the audit leaves out, so that it reports exactly what admission judges, once:
 * - objects in namespaces the registration's namespaceSelector excludes, and objects its
 *   objectSelector does not select;
 * - objects made by a judged workload (a Deployment's ReplicaSet, its Pods, a CronJob's
 *   Jobs): their findings are the workload's, reported on the workload.
 */
import { ClusterState } from '../cluster/cluster-state.js';
import { collectionPath, DEFAULT_NAMESPACE, kindOf, NAMESPACE_NAME_LABEL, type KindSpec } from '../core/kubernetes/kinds.js';
import { selectorMatches, type LabelSelector } from '../core/kubernetes/label-selector.js';
import type { ModelCache } from '../core/kubernetes/network-policy.js';
import { arrayOf, field, recordOf, stringMapOf, stringOf, type JsonRecord } from '../core/kubernetes/shape.js';
import type { Policy } from '../policy/policy.js';
import { toObjectResult, type ObjectResult } from '../report/report.js';
import type { Rule } from '../rules/types.js';
import { evaluate } from './evaluate.js';

/** Which objects the webhook registration sends for review. */
export interface AuditScope {
  readonly namespaceSelector: LabelSelector;
  readonly objectSelector: LabelSelector;
  /** Only this namespace (and the Namespace itself), when given. */
  readonly namespace?: string;
}

export interface AuditContext {
  readonly rules: readonly Rule[];
  readonly policy: Policy;
  /** Epoch milliseconds, for exemption expiry. */
  readonly now: number;
  readonly scope: AuditScope;
}

/** The object a result is about, as an ObjectReference names it (a report's scope). */
export interface ObjectReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

export interface AuditedObject {
  readonly reference: ObjectReference;
  readonly result: ObjectResult;
}

export interface AuditResult {
  readonly audited: readonly AuditedObject[];
  /** Objects left out: excluded by the registration's selectors, or made by a judged workload. */
  readonly skipped: { readonly excluded: number; readonly owned: number };
}

function metadataOf(object: JsonRecord): JsonRecord | undefined {
  return recordOf(field(object, 'metadata'));
}

function referenceOf(object: JsonRecord): ObjectReference {
  const metadata = metadataOf(object);
  return {
    apiVersion: stringOf(field(object, 'apiVersion')) ?? '',
    kind: stringOf(field(object, 'kind')) ?? '',
    namespace: stringOf(field(metadata, 'namespace')) ?? '',
    name: stringOf(field(metadata, 'name')) ?? '',
    uid: stringOf(field(metadata, 'uid')) ?? '',
  };
}

/** The uid of the object's controller, when it has one. */
function controllerUid(object: JsonRecord): string | undefined {
  const references = arrayOf(field(metadataOf(object), 'ownerReferences')) ?? [];
  const controller = references.map(recordOf).find((reference) => field(reference, 'controller') === true);
  return stringOf(field(controller, 'uid'));
}

/** Where the object is served: the path `kubectl get --raw` reads it from; the audit's "file". */
export function objectPath(spec: KindSpec, reference: ObjectReference): string {
  return `${collectionPath(spec, reference.namespace === '' ? undefined : reference.namespace)}/${reference.name}`;
}

interface Listed {
  readonly object: JsonRecord;
  readonly spec: KindSpec;
  readonly reference: ObjectReference;
}

function listed(objects: readonly JsonRecord[]): Listed[] {
  return objects.flatMap((object) => {
    const reference = referenceOf(object);
    const spec = kindOf(reference.apiVersion, reference.kind);
    return spec === undefined || !spec.admission ? [] : [{ object, spec, reference }];
  });
}

/** Whether the registration sends this object for review, as kube-apiserver decides it. */
function inScope(entry: Listed, namespaceLabels: ReadonlyMap<string, Readonly<Record<string, string>>>, scope: AuditScope): boolean {
  const { reference, object } = entry;
  const labels = stringMapOf(field(metadataOf(object), 'labels'));
  if (!selectorMatches(scope.objectSelector, labels)) return false;
  // A Namespace is matched on its own labels; a namespaced object on its namespace's.
  const namespace = entry.spec.kind === 'Namespace' ? reference.name : reference.namespace;
  if (scope.namespace !== undefined && namespace !== scope.namespace) return false;
  const ofNamespace = namespaceLabels.get(namespace);
  return ofNamespace !== undefined && selectorMatches(scope.namespaceSelector, ofNamespace);
}

function viewState(entries: readonly Listed[], models: ModelCache): ClusterState {
  const state = new ClusterState(models);
  state.replace('networkpolicies', entries.filter((entry) => entry.spec.kind === 'NetworkPolicy').map((entry) => entry.object));
  state.replace('namespaces', entries.filter((entry) => entry.spec.kind === 'Namespace').map((entry) => entry.object));
  state.replace('pods', entries.filter((entry) => entry.spec.kind === 'Pod').map((entry) => entry.object));
  return state;
}

function namespaceLabelsOf(entries: readonly Listed[]): Map<string, Readonly<Record<string, string>>> {
  return new Map(
    // The API server sets the name label on every namespace; an object read without it is matched as if it had it.
    entries
      .filter((entry) => entry.spec.kind === 'Namespace')
      .map((entry) => [entry.reference.name, { ...stringMapOf(field(metadataOf(entry.object), 'labels')), [NAMESPACE_NAME_LABEL]: entry.reference.name }]),
  );
}

/**
 * Judge every object the registration would send for review. `objects` are whole lists
 * of each judged kind (with apiVersion and kind set, as a list's items lack them): the
 * view is built from all of them, whatever the scope.
 */
export function auditObjects(objects: readonly JsonRecord[], context: AuditContext): AuditResult {
  const entries = listed(objects);
  const models: ModelCache = new WeakMap();
  const view = viewState(entries, models).view(() => true);
  const namespaceLabels = namespaceLabelsOf(entries);
  const inScopeEntries = entries.filter((entry) => inScope(entry, namespaceLabels, context.scope));
  // Only a workload that is itself judged takes over the findings of what it makes.
  const judgedUids = new Set(inScopeEntries.filter((entry) => entry.spec.templatePath !== undefined).map((entry) => entry.reference.uid));
  const audited: AuditedObject[] = [];
  let owned = 0;
  for (const entry of inScopeEntries) {
    const owner = controllerUid(entry.object);
    if (owner !== undefined && judgedUids.has(owner)) {
      owned += 1;
      continue;
    }
    const defaultNamespace = entry.reference.namespace === '' ? DEFAULT_NAMESPACE : entry.reference.namespace;
    const verdict = evaluate(context.rules, entry.object, { policy: context.policy, view, now: context.now, defaultNamespace, models });
    const result = toObjectResult({ file: objectPath(entry.spec, entry.reference), line: 0, lineOf: () => 0, verdict });
    audited.push({ reference: entry.reference, result });
  }
  return { audited, skipped: { excluded: entries.length - inScopeEntries.length, owned } };
}
