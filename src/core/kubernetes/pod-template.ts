/**
 * Where each workload kind keeps its pod template (from the table of kinds), so that
 * findings point into the user's own object (`spec.template.spec.hostNetwork`, not a
 * synthetic Pod).
 */
import type { KindSpec } from './kinds.js';
import type { Labels } from './label-selector.js';
import { field, recordOf, stringMapOf, valueAt, type FieldPath, type JsonRecord } from './shape.js';

export interface PodTemplateModel {
  /** Path of the template's metadata in the user's object, e.g. ['spec', 'template', 'metadata']. */
  readonly metadataPath: FieldPath;
  /** Path of the pod spec in the user's object, e.g. ['spec', 'template', 'spec']. */
  readonly specPath: FieldPath;
  readonly labels: Labels;
  readonly spec: JsonRecord;
}

/** The pod template of an object whose kind has one in the table; undefined for other kinds. */
export function readPodTemplate(object: JsonRecord, spec: KindSpec): PodTemplateModel | undefined {
  const location = spec.templatePath;
  if (location === undefined) return undefined;
  const template = location.length === 0 ? object : recordOf(valueAt(object, location));
  return {
    metadataPath: [...location, 'metadata'],
    specPath: [...location, 'spec'],
    labels: stringMapOf(field(recordOf(field(template, 'metadata')), 'labels')),
    spec: recordOf(field(template, 'spec')) ?? {},
  };
}

export interface ContainerPort {
  readonly path: FieldPath;
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
          path: [...template.specPath, list, c, 'ports', p],
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
