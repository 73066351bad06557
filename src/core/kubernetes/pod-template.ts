/**
 * Where each workload kind keeps its pod template, so that findings point into the
 * user's own object (`spec.template.spec.hostNetwork`, not a synthetic Pod).
 */
import { field, recordOf, stringMapOf, valueAt, type JsonRecord } from './shape.js';
import type { Labels } from './label-selector.js';

const TEMPLATE_LOCATIONS: Readonly<Record<string, readonly string[]>> = {
  Pod: [],
  PodTemplate: ['template'],
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

export const POD_TEMPLATE_KINDS: readonly string[] = Object.keys(TEMPLATE_LOCATIONS);

export interface PodTemplateModel {
  /** Path of the template's metadata in the user's object, e.g. `spec.template.metadata`. */
  readonly metadataPath: string;
  /** Path of the pod spec in the user's object, e.g. `spec.template.spec`. */
  readonly specPath: string;
  readonly labels: Labels;
  readonly spec: JsonRecord;
}

export function isPodTemplateKind(kind: string): boolean {
  return Object.prototype.hasOwnProperty.call(TEMPLATE_LOCATIONS, kind);
}

export function readPodTemplate(object: JsonRecord, kind: string): PodTemplateModel | undefined {
  if (!isPodTemplateKind(kind)) return undefined;
  const location = TEMPLATE_LOCATIONS[kind] ?? [];
  const template = location.length === 0 ? object : recordOf(valueAt(object, location));
  const prefix = location.join('.');
  const join = (key: string): string => (prefix === '' ? key : `${prefix}.${key}`);
  return {
    metadataPath: join('metadata'),
    specPath: join('spec'),
    labels: stringMapOf(field(recordOf(field(template, 'metadata')), 'labels')),
    spec: recordOf(field(template, 'spec')) ?? {},
  };
}

export type ContainerList = 'containers' | 'initContainers';

export interface ContainerPort {
  readonly path: string;
  readonly containerName: string;
  readonly hostPort: unknown;
  readonly containerPort: unknown;
  readonly protocol: unknown;
  readonly name: unknown;
}

/** Every declared port of containers and initContainers (ephemeral containers cannot declare ports). */
export function containerPorts(template: PodTemplateModel): ContainerPort[] {
  const ports: ContainerPort[] = [];
  for (const list of ['containers', 'initContainers'] as const) {
    const containers = field(template.spec, list);
    if (!Array.isArray(containers)) continue;
    containers.forEach((container: unknown, c) => {
      const record = recordOf(container);
      const declared = field(record, 'ports');
      const name = field(record, 'name');
      if (!Array.isArray(declared)) return;
      declared.forEach((port: unknown, p) => {
        const portRecord = recordOf(port);
        ports.push({
          path: `${template.specPath}.${list}[${c}].ports[${p}]`,
          containerName: typeof name === 'string' ? name : `#${c}`,
          hostPort: field(portRecord, 'hostPort'),
          containerPort: field(portRecord, 'containerPort'),
          protocol: field(portRecord, 'protocol'),
          name: field(portRecord, 'name'),
        });
      });
    });
  }
  return ports;
}
