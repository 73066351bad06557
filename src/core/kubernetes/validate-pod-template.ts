/**
 * The parts of the API server's Pod and workload validation that bear on network
 * guardrails: template labels, declared ports, and a workload selector that must select
 * its own template (apps/v1).
 */
import { invalid, required, unsupported, type FieldError } from './field-errors.js';
import { readLabelSelector, selectorMatches, validateLabelSelector, validateLabels } from './label-selector.js';
import { portNameErrors, portNumberErrors } from './names.js';
import { containerPorts, type ContainerPort, type PodTemplateModel } from './pod-template.js';
import { apiGroupOf } from './kinds.js';
import { field, valueAt, type FieldPath, type JsonRecord } from './shape.js';
import { validateWorkload } from './validate-workload.js';

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const SELECTOR_REQUIRED_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'];

const isPortNumber = (value: unknown): boolean => typeof value === 'number' && portNumberErrors(value).length === 0;

function containerPortErrors(port: ContainerPort, path: FieldPath): FieldError[] {
  if (port.containerPort === undefined) return [required([...path, 'containerPort'], '')];
  return isPortNumber(port.containerPort) ? [] : [invalid([...path, 'containerPort'], port.containerPort, 'must be between 1 and 65535, inclusive')];
}

function validatePort(port: ContainerPort): FieldError[] {
  const path = port.path;
  const errors = containerPortErrors(port, path);
  const { hostPort, protocol } = port;
  if (hostPort !== undefined && hostPort !== 0 && !isPortNumber(hostPort)) {
    errors.push(invalid([...path, 'hostPort'], hostPort, 'must be between 1 and 65535, inclusive'));
  }
  if (protocol !== undefined && !PROTOCOLS.includes(protocol as string)) errors.push(unsupported([...path, 'protocol'], protocol, PROTOCOLS));
  const name = port.name;
  if (typeof name === 'string') errors.push(...portNameErrors(name).map((message) => invalid([...path, 'name'], name, message)));
  return errors;
}

function validateSelector(object: JsonRecord, kind: string, template: PodTemplateModel): FieldError[] {
  if (!SELECTOR_REQUIRED_KINDS.includes(kind) || apiGroupOf(String(field(object, 'apiVersion'))) !== 'apps') return [];
  const selector = valueAt(object, ['spec', 'selector']);
  if (selector == null) return [required(['spec', 'selector'], '')];
  const errors = [...validateLabelSelector(selector, ['spec', 'selector'])];
  if (errors.length === 0 && !selectorMatches(readLabelSelector(selector), template.labels)) {
    errors.push(invalid([...template.metadataPath, 'labels'], template.labels, '`selector` does not match template `labels`'));
  }
  return errors;
}

export function validatePodTemplate(object: JsonRecord, kind: string, template: PodTemplateModel): FieldError[] {
  const labelsPath = [...template.metadataPath, 'labels'];
  const templateLabels = kind === 'Pod' ? [] : validateLabels(valueAt(object, labelsPath), labelsPath);
  const ports = containerPorts(template).flatMap(validatePort);
  return [...templateLabels, ...ports, ...validateSelector(object, kind, template), ...validateWorkload(object, kind, template)];
}
