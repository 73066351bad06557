/**
 * Workload and pod-spec validations of the API server that a review should catch before
 * kubectl does (k8s.io/kubernetes pkg/apis/{apps,batch,core}/validation): an empty
 * apps/v1 selector, negative replicas, a restart policy the kind refuses, a pod spec
 * with no containers, a container with no name or a name used twice. Phrased as the API
 * server phrases them. Pure.
 */
import { duplicate, invalid, required, unsupported, type FieldError } from './field-errors.js';
import { apiGroupOf } from './kinds.js';
import type { PodTemplateModel } from './pod-template.js';
import { arrayOf, field, recordOf, valueAt, type FieldPath, type JsonRecord } from './shape.js';

/** apps/v1 kinds whose selector must name at least one label, and the word the API server uses for each. */
const EMPTY_SELECTOR_WORD: ReadonlyMap<string, string> = new Map([
  ['Deployment', 'deployment'],
  ['ReplicaSet', 'deployment'],
  ['StatefulSet', 'statefulset'],
  ['DaemonSet', 'daemonset'],
]);

const REPLICA_KINDS = ['Deployment', 'ReplicaSet', 'StatefulSet', 'ReplicationController'];
const JOB_RESTART_POLICIES = ['OnFailure', 'Never'];

function emptySelectorErrors(object: JsonRecord, kind: string): FieldError[] {
  const word = EMPTY_SELECTOR_WORD.get(kind);
  if (word === undefined || apiGroupOf(String(field(object, 'apiVersion'))) !== 'apps') return [];
  const selector = recordOf(valueAt(object, ['spec', 'selector']));
  if (selector === undefined) return [];
  const count = Object.keys(recordOf(field(selector, 'matchLabels')) ?? {}).length + (arrayOf(field(selector, 'matchExpressions')) ?? []).length;
  if (count > 0) return [];
  return [{ ...invalid(['spec', 'selector'], selector, `empty selector is invalid for ${word}`), printed: printedEmptySelector(selector) }];
}

/** An empty LabelSelector as Go's `%#v` prints it: a field left out is nil, one written empty is not. */
function printedEmptySelector(selector: JsonRecord): string {
  const labels = field(selector, 'matchLabels') == null ? 'map[string]string(nil)' : 'map[string]string{}';
  const expressions = field(selector, 'matchExpressions') == null ? '[]v1.LabelSelectorRequirement(nil)' : '[]v1.LabelSelectorRequirement{}';
  return `v1.LabelSelector{MatchLabels:${labels}, MatchExpressions:${expressions}}`;
}

function replicaErrors(object: JsonRecord, kind: string): FieldError[] {
  const fields = REPLICA_KINDS.includes(kind) ? ['replicas'] : kind === 'Job' ? ['parallelism', 'completions'] : [];
  return fields.flatMap((name) => {
    const value = valueAt(object, ['spec', name]);
    return typeof value === 'number' && value < 0 ? [invalid(['spec', name], value, 'must be greater than or equal to 0')] : [];
  });
}

function jobRestartPolicyErrors(path: FieldPath, policy: unknown): FieldError[] {
  if (policy === undefined || policy === '') return [required(path, 'valid values: "OnFailure", "Never"')];
  return typeof policy === 'string' && JOB_RESTART_POLICIES.includes(policy) ? [] : [unsupported(path, policy, JOB_RESTART_POLICIES)];
}

/** Jobs run to completion (OnFailure or Never); every other controller restarts its pods (Always, the default). */
function restartPolicyErrors(kind: string, template: PodTemplateModel): FieldError[] {
  if (kind === 'Pod' || kind === 'PodTemplate') return [];
  const path = [...template.specPath, 'restartPolicy'];
  const policy = field(template.spec, 'restartPolicy');
  if (kind === 'Job' || kind === 'CronJob') return jobRestartPolicyErrors(path, policy);
  return policy === undefined || policy === 'Always' ? [] : [unsupported(path, policy, ['Always'])];
}

function containerErrors(template: PodTemplateModel): FieldError[] {
  const path: FieldPath = [...template.specPath, 'containers'];
  const containers = arrayOf(field(template.spec, 'containers')) ?? [];
  if (containers.length === 0) return [required(path, '')];
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  containers.forEach((container, index) => {
    const name = field(recordOf(container), 'name');
    if (typeof name !== 'string' || name === '') errors.push(required([...path, index, 'name'], ''));
    else if (seen.has(name)) errors.push(duplicate([...path, index, 'name'], name));
    else seen.add(name);
  });
  return errors;
}

export function validateWorkload(object: JsonRecord, kind: string, template: PodTemplateModel): FieldError[] {
  return [...emptySelectorErrors(object, kind), ...replicaErrors(object, kind), ...containerErrors(template), ...restartPolicyErrors(kind, template)];
}
