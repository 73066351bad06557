import { describe, expect, it } from 'vitest';
import { invalid, required, unsupported, type FieldError } from './field-errors.js';
import { kindOf } from './kinds.js';
import { readPodTemplate } from './pod-template.js';
import type { JsonRecord } from './shape.js';
import { validatePodTemplate } from './validate-pod-template.js';

const RANGE = 'must be between 1 and 65535, inclusive';
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const LABEL_RULE =
  "a valid label must be an empty string or must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const NAME_RULE =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const NO_MATCH = '`selector` does not match template `labels`';

function validate(object: JsonRecord): FieldError[] {
  const spec = kindOf(String(object.apiVersion), String(object.kind));
  if (spec === undefined) throw new Error(`no kind for ${String(object.apiVersion)} ${String(object.kind)}`);
  const template = readPodTemplate(object, spec);
  if (template === undefined) throw new Error(`${String(object.kind)} has no pod template`);
  return validatePodTemplate(object, String(object.kind), template);
}

function pod(containers: unknown, labels?: unknown): JsonRecord {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels }, spec: { containers } };
}

function deployment(options: { apiVersion?: string; kind?: string; selector?: unknown; labels?: unknown; containers?: unknown }): JsonRecord {
  // Jobs must not restart their pods forever: the API server refuses a Job template without OnFailure or Never.
  const restart = options.kind === 'Job' ? { restartPolicy: 'Never' } : {};
  const spec: Record<string, unknown> = { template: { metadata: { labels: options.labels }, spec: { containers: options.containers ?? [{ name: 'app' }], ...restart } } };
  if (options.selector !== undefined) spec.selector = options.selector;
  return { apiVersion: options.apiVersion ?? 'apps/v1', kind: options.kind ?? 'Deployment', metadata: { name: 'd' }, spec };
}

describe('validatePodTemplate: container ports', () => {
  const at = (list: string, c: number, p: number, key: string): (string | number)[] => ['spec', list, c, 'ports', p, key];

  it('accepts the usual ports', () => {
    const containers = [
      { name: 'web', ports: [{ containerPort: 8080 }, { containerPort: 1, hostPort: 0, protocol: 'UDP', name: 'dns' }, { containerPort: 65_535, hostPort: 65_535, protocol: 'SCTP' }] },
      { name: 'sidecar' },
      { name: 'odd', ports: 'not a list' },
    ];
    expect(validate(pod(containers))).toEqual([]);
  });

  it('requires containerPort and keeps it, hostPort and protocol within their ranges', () => {
    const containers = [
      { name: 'web', ports: [{}, { containerPort: 0 }, { containerPort: 65_536 }, { containerPort: '80' }, { containerPort: 80, hostPort: 70_000 }, { containerPort: 80, hostPort: -1 }] },
    ];
    expect(validate(pod(containers))).toEqual([
      required(at('containers', 0, 0, 'containerPort'), ''),
      invalid(at('containers', 0, 1, 'containerPort'), 0, RANGE),
      invalid(at('containers', 0, 2, 'containerPort'), 65_536, RANGE),
      invalid(at('containers', 0, 3, 'containerPort'), '80', RANGE),
      invalid(at('containers', 0, 4, 'hostPort'), 70_000, RANGE),
      invalid(at('containers', 0, 5, 'hostPort'), -1, RANGE),
    ]);
  });

  it('checks protocol and port names, in containers and initContainers alike', () => {
    const object = pod([{ name: 'web', ports: [{ containerPort: 80, protocol: 'tcp', name: 'Web' }] }]);
    (object.spec as Record<string, unknown>).initContainers = [{ name: 'init' }, { name: 'setup', ports: [{ containerPort: 443, name: 'https--x', hostPort: 'x' }] }];
    expect(validate(object)).toEqual([
      unsupported(at('containers', 0, 0, 'protocol'), 'tcp', PROTOCOLS),
      invalid(at('containers', 0, 0, 'name'), 'Web', 'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'),
      invalid(at('initContainers', 1, 0, 'hostPort'), 'x', RANGE),
      invalid(at('initContainers', 1, 0, 'name'), 'https--x', 'must not contain consecutive hyphens'),
    ]);
  });

  it('places the errors of a workload under its template spec', () => {
    const object = deployment({ selector: { matchLabels: { app: 'web' } }, labels: { app: 'web' }, containers: [{ name: 'c', ports: [{ containerPort: 0 }] }] });
    expect(validate(object)).toEqual([invalid(['spec', 'template', 'spec', 'containers', 0, 'ports', 0, 'containerPort'], 0, RANGE)]);
  });
});

describe('validatePodTemplate: template labels', () => {
  it('validates the labels of a workload template', () => {
    const object = deployment({ apiVersion: 'batch/v1', kind: 'Job', labels: { app: '-web', '-key': 'ok', n: 1 } });
    expect(validate(object)).toEqual([
      invalid(['spec', 'template', 'metadata', 'labels', 'app'], '-web', LABEL_RULE),
      invalid(['spec', 'template', 'metadata', 'labels'], '-key', NAME_RULE),
      invalid(['spec', 'template', 'metadata', 'labels', 'n'], 1, 'must be a string'),
    ]);
  });

  it('reports template labels that are not a map', () => {
    expect(validate(deployment({ apiVersion: 'batch/v1', kind: 'Job', labels: ['app'] }))).toEqual([
      invalid(['spec', 'template', 'metadata', 'labels'], ['app'], 'must be a map of strings'),
    ]);
  });

  it("leaves a Pod's own labels to the object's metadata validation", () => {
    expect(validate(pod([{ name: 'app' }], { app: '-web' }))).toEqual([]);
  });
});

describe('validatePodTemplate: workload selector (apps/v1)', () => {
  it.each(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'])('requires a selector on an apps/v1 %s', (kind) => {
    expect(validate(deployment({ kind, labels: { app: 'web' } }))).toEqual([required(['spec', 'selector'], '')]);
    expect(validate(deployment({ kind, labels: { app: 'web' }, selector: null }))).toEqual([required(['spec', 'selector'], '')]);
  });

  it('accepts a selector that selects the template', () => {
    expect(validate(deployment({ selector: { matchLabels: { app: 'web' } }, labels: { app: 'web', tier: 'front' } }))).toEqual([]);
    expect(validate(deployment({ selector: { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, labels: { tier: 'x' } }))).toEqual([]);
  });

  it('rejects a selector that does not select the template', () => {
    const labels = { app: 'db' };
    expect(validate(deployment({ selector: { matchLabels: { app: 'web' } }, labels }))).toEqual([
      invalid(['spec', 'template', 'metadata', 'labels'], labels, NO_MATCH),
    ]);
    expect(validate(deployment({ kind: 'StatefulSet', selector: { matchLabels: { app: 'web' } } }))).toEqual([
      invalid(['spec', 'template', 'metadata', 'labels'], {}, NO_MATCH),
    ]);
  });

  it('reports an invalid selector without also judging whether it matches', () => {
    expect(validate(deployment({ selector: { matchLabels: { app: '-web' } }, labels: { app: 'db' } }))).toEqual([
      invalid(['spec', 'selector', 'matchLabels', 'app'], '-web', LABEL_RULE),
    ]);
    expect(validate(deployment({ selector: 'app=web', labels: { app: 'web' } }))).toEqual([invalid(['spec', 'selector'], 'app=web', 'must be a label selector object')]);
  });

  it('does not require a selector of the legacy extensions group, nor of kinds outside apps', () => {
    expect(validate(deployment({ apiVersion: 'extensions/v1beta1', labels: { app: 'web' } }))).toEqual([]);
    expect(validate(deployment({ apiVersion: 'extensions/v1beta1', selector: { matchLabels: { app: 'x' } }, labels: { app: 'web' } }))).toEqual([]);
    expect(validate(deployment({ apiVersion: 'batch/v1', kind: 'Job', labels: { app: 'web' } }))).toEqual([]);
    expect(validate(deployment({ apiVersion: 'v1', kind: 'ReplicationController', labels: { app: 'web' } }))).toEqual([]);
    expect(validate(pod([{ name: 'app' }]))).toEqual([]);
  });

  it('lists template labels, then ports, then the selector', () => {
    const object = deployment({ labels: { app: '-x' }, containers: [{ name: 'c', ports: [{ containerPort: 0 }] }] });
    expect(validate(object)).toEqual([
      invalid(['spec', 'template', 'metadata', 'labels', 'app'], '-x', LABEL_RULE),
      invalid(['spec', 'template', 'spec', 'containers', 0, 'ports', 0, 'containerPort'], 0, RANGE),
      required(['spec', 'selector'], ''),
    ]);
  });
});
