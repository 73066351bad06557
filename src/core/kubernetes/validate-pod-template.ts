/**
 * The parts of the API server's Pod and workload validation that bear on network
 * guardrails: template labels, declared ports, and a workload selector that must select
 * its own template (apps/v1).
 */
import { invalid, required, unsupported, type FieldError } from './field-errors.js';
import { readLabelSelector, selectorMatches, validateLabelSelector, validateLabels } from './label-selector.js';
import { portNameErrors, portNumberErrors } from './names.js';
import { containerPorts, type ContainerPort, type PodTemplateModel } from './pod-template.js';
import { field, valueAt, type JsonRecord } from './shape.js';
import { apiGroupOf } from './subject.js';

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const SELECTOR_REQUIRED_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'];

const isPortNumber = (value: unknown): boolean => typeof value === 'number' && portNumberErrors(value).length === 0;

function containerPortErrors(port: ContainerPort): FieldError[] {
  if (port.containerPort === undefined) return [required(`${port.path}.containerPort`, '')];
  return isPortNumber(port.containerPort) ? [] : [invalid(`${port.path}.containerPort`, port.containerPort, 'must be between 1 and 65535, inclusive')];
}

function validatePort(port: ContainerPort): FieldError[] {
  const errors = containerPortErrors(port);
  const { hostPort, protocol } = port;
  if (hostPort !== undefined && hostPort !== 0 && !isPortNumber(hostPort)) {
    errors.push(invalid(`${port.path}.hostPort`, hostPort, 'must be between 1 and 65535, inclusive'));
  }
  if (protocol !== undefined && !PROTOCOLS.includes(protocol as string)) errors.push(unsupported(`${port.path}.protocol`, protocol, PROTOCOLS));
  const name = port.name;
  if (typeof name === 'string') errors.push(...portNameErrors(name).map((message) => invalid(`${port.path}.name`, name, message)));
  return errors;
}

function validateSelector(object: JsonRecord, kind: string, template: PodTemplateModel): FieldError[] {
  if (!SELECTOR_REQUIRED_KINDS.includes(kind) || apiGroupOf(String(field(object, 'apiVersion'))) !== 'apps') return [];
  const selector = valueAt(object, ['spec', 'selector']);
  if (selector == null) return [required('spec.selector', '')];
  const errors = [...validateLabelSelector(selector, 'spec.selector')];
  if (errors.length === 0 && !selectorMatches(readLabelSelector(selector), template.labels)) {
    errors.push(invalid(`${template.metadataPath}.labels`, template.labels, '`selector` does not match template `labels`'));
  }
  return errors;
}

export function validatePodTemplate(object: JsonRecord, kind: string, template: PodTemplateModel): FieldError[] {
  const templateLabels = kind === 'Pod' ? [] : validateLabels(valueAt(object, [...template.metadataPath.split('.'), 'labels']), `${template.metadataPath}.labels`);
  const ports = containerPorts(template).flatMap(validatePort);
  return [...templateLabels, ...ports, ...validateSelector(object, kind, template)];
}
