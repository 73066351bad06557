import { describe, expect, it } from 'vitest';
import { formatFieldError, type FieldError } from './field-errors.js';
import { kindOf } from './kinds.js';
import { readPodTemplate } from './pod-template.js';
import type { JsonRecord } from './shape.js';
import { validateWorkload } from './validate-workload.js';

function validate(object: JsonRecord): FieldError[] {
  const spec = kindOf(String(object.apiVersion), String(object.kind));
  if (spec === undefined) throw new Error(`no kind for ${String(object.apiVersion)} ${String(object.kind)}`);
  const template = readPodTemplate(object, spec);
  if (template === undefined) throw new Error(`${String(object.kind)} has no pod template`);
  return validateWorkload(object, String(object.kind), template);
}

const messages = (object: JsonRecord): string[] => validate(object).map(formatFieldError);

const API_VERSIONS: Readonly<Record<string, string>> = {
  Deployment: 'apps/v1',
  ReplicaSet: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  ReplicationController: 'v1',
  Job: 'batch/v1',
};

interface WorkloadOptions {
  readonly apiVersion?: string;
  readonly spec?: Readonly<Record<string, unknown>>;
  readonly podSpec?: Readonly<Record<string, unknown>>;
}

/** A workload that passes every check unless the options say otherwise. */
function workload(kind: string, options: WorkloadOptions = {}): JsonRecord {
  const restartPolicy = kind === 'Job' ? { restartPolicy: 'Never' } : {};
  const selector = kind === 'ReplicationController' ? { app: 'web' } : kind === 'Job' ? undefined : { matchLabels: { app: 'web' } };
  return {
    apiVersion: options.apiVersion ?? API_VERSIONS[kind],
    kind,
    metadata: { name: 'w' },
    spec: {
      ...(selector === undefined ? {} : { selector }),
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx' }], ...restartPolicy, ...options.podSpec } },
      ...options.spec,
    },
  };
}

function cronJob(podSpec: Readonly<Record<string, unknown>>): JsonRecord {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'c' },
    spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'app' }], ...podSpec } } } } },
  };
}

function pod(spec: Readonly<Record<string, unknown>>): JsonRecord {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec };
}

describe('validateWorkload: a valid workload', () => {
  it.each(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'ReplicationController', 'Job'])('accepts a %s', (kind) => {
    expect(validate(workload(kind))).toEqual([]);
  });

  it('accepts a CronJob, a Pod and a PodTemplate', () => {
    expect(validate(cronJob({ restartPolicy: 'OnFailure' }))).toEqual([]);
    expect(validate(pod({ containers: [{ name: 'a' }, { name: 'b' }] }))).toEqual([]);
    expect(validate({ apiVersion: 'v1', kind: 'PodTemplate', metadata: { name: 't' }, template: { spec: { containers: [{ name: 'a' }] } } })).toEqual([]);
  });
});

describe('validateWorkload: empty apps/v1 selectors', () => {
  const NIL = 'v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}';

  it.each([
    ['Deployment', 'deployment'],
    ['ReplicaSet', 'deployment'],
    ['StatefulSet', 'statefulset'],
    ['DaemonSet', 'daemonset'],
  ])('refuses an empty selector on a %s, in the words the API server uses for it (%s)', (kind, word) => {
    expect(validate(workload(kind, { spec: { selector: {} } }))).toEqual([
      { path: ['spec', 'selector'], type: 'Invalid value', value: {}, detail: `empty selector is invalid for ${word}`, printed: NIL },
    ]);
    expect(messages(workload(kind, { spec: { selector: {} } }))).toEqual([`spec.selector: Invalid value: ${NIL}: empty selector is invalid for ${word}`]);
  });

  it('prints the fields written empty as Go prints empty, not nil, values', () => {
    expect(messages(workload('Deployment', { spec: { selector: { matchLabels: {} } } }))).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
    ]);
    expect(messages(workload('Deployment', { spec: { selector: { matchLabels: {}, matchExpressions: [] } } }))).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{}, MatchExpressions:[]v1.LabelSelectorRequirement{}}: empty selector is invalid for deployment',
    ]);
    expect(messages(workload('Deployment', { spec: { selector: { matchLabels: null, matchExpressions: [] } } }))).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{}}: empty selector is invalid for deployment',
    ]);
  });

  it('accepts a selector with only matchExpressions', () => {
    expect(validate(workload('Deployment', { spec: { selector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] } } }))).toEqual([]);
  });

  it('leaves a missing selector and legacy groups alone', () => {
    const noSelector = workload('Deployment');
    const spec = { ...(noSelector.spec as Record<string, unknown>) };
    delete spec.selector;
    expect(validate({ ...noSelector, spec })).toEqual([]);
    expect(validate(workload('Deployment', { apiVersion: 'extensions/v1beta1', spec: { selector: {} } }))).toEqual([]);
    expect(validate(workload('DaemonSet', { apiVersion: 'extensions/v1beta1', spec: { selector: {} } }))).toEqual([]);
  });
});

describe('validateWorkload: negative counts', () => {
  it.each(['Deployment', 'ReplicaSet', 'StatefulSet', 'ReplicationController'])('refuses negative replicas on a %s', (kind) => {
    expect(validate(workload(kind, { spec: { replicas: -1 } }))).toEqual([
      { path: ['spec', 'replicas'], type: 'Invalid value', value: -1, detail: 'must be greater than or equal to 0' },
    ]);
    expect(messages(workload(kind, { spec: { replicas: -1 } }))).toEqual(['spec.replicas: Invalid value: -1: must be greater than or equal to 0']);
  });

  it('accepts zero replicas', () => {
    expect(validate(workload('Deployment', { spec: { replicas: 0 } }))).toEqual([]);
  });

  it('refuses negative parallelism and completions on a Job', () => {
    expect(messages(workload('Job', { spec: { parallelism: -2, completions: -3 } }))).toEqual([
      'spec.parallelism: Invalid value: -2: must be greater than or equal to 0',
      'spec.completions: Invalid value: -3: must be greater than or equal to 0',
    ]);
  });

  it('does not judge replicas where the kind has none, nor a replicas that is not a number', () => {
    expect(validate(workload('DaemonSet', { spec: { replicas: -1 } }))).toEqual([]);
    expect(validate(workload('Job', { spec: { replicas: -1 } }))).toEqual([]);
    expect(validate(workload('Deployment', { spec: { replicas: '-1' } }))).toEqual([]);
  });
});

describe('validateWorkload: restart policies', () => {
  const JOB_PATH = ['spec', 'template', 'spec', 'restartPolicy'];

  it('requires OnFailure or Never on a Job', () => {
    const expected = [{ path: JOB_PATH, type: 'Required value', detail: 'valid values: "OnFailure", "Never"' }];
    expect(validate(workload('Job', { podSpec: { restartPolicy: undefined } }))).toEqual(expected);
    expect(validate(workload('Job', { podSpec: { restartPolicy: '' } }))).toEqual(expected);
    expect(messages(workload('Job', { podSpec: { restartPolicy: '' } }))).toEqual(['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"']);
  });

  it.each(['OnFailure', 'Never'])('accepts %s on a Job', (policy) => {
    expect(validate(workload('Job', { podSpec: { restartPolicy: policy } }))).toEqual([]);
  });

  it.each(['Always', 'never', 5])('refuses %j on a Job', (policy) => {
    expect(validate(workload('Job', { podSpec: { restartPolicy: policy } }))).toEqual([
      { path: JOB_PATH, type: 'Unsupported value', value: policy, detail: 'supported values: "OnFailure", "Never"' },
    ]);
  });

  it('words an unsupported Job policy as the API server does', () => {
    expect(messages(workload('Job', { podSpec: { restartPolicy: 'Always' } }))).toEqual(['spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"']);
  });

  it('judges a CronJob`s template at its own path', () => {
    expect(messages(cronJob({}))).toEqual(['spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"']);
    expect(messages(cronJob({ restartPolicy: 'Always' }))).toEqual([
      'spec.jobTemplate.spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
    ]);
    expect(validate(cronJob({ restartPolicy: 'Never' }))).toEqual([]);
  });

  it.each(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'ReplicationController'])('allows only Always (or nothing) on a %s', (kind) => {
    expect(validate(workload(kind, { podSpec: { restartPolicy: 'Always' } }))).toEqual([]);
    expect(validate(workload(kind, { podSpec: { restartPolicy: 'OnFailure' } }))).toEqual([
      { path: JOB_PATH, type: 'Unsupported value', value: 'OnFailure', detail: 'supported values: "Always"' },
    ]);
    expect(messages(workload(kind, { podSpec: { restartPolicy: 'Never' } }))).toEqual(['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']);
  });

  it('leaves a Pod`s and a PodTemplate`s policy alone', () => {
    expect(validate(pod({ containers: [{ name: 'a' }], restartPolicy: 'Never' }))).toEqual([]);
    expect(validate(pod({ containers: [{ name: 'a' }], restartPolicy: 'Sometimes' }))).toEqual([]);
    expect(validate({ apiVersion: 'v1', kind: 'PodTemplate', metadata: { name: 't' }, template: { spec: { containers: [{ name: 'a' }], restartPolicy: 'OnFailure' } } })).toEqual([]);
  });
});

describe('validateWorkload: containers', () => {
  it.each([
    ['no containers field', {}],
    ['an empty list', { containers: [] }],
    ['a containers field that is not a list', { containers: { name: 'a' } }],
  ])('requires containers on a Pod with %s', (_name, spec) => {
    expect(validate(pod(spec))).toEqual([{ path: ['spec', 'containers'], type: 'Required value', detail: '' }]);
    expect(messages(pod(spec))).toEqual(['spec.containers: Required value']);
  });

  it('requires containers at the template`s path on a workload', () => {
    expect(messages(workload('Deployment', { podSpec: { containers: [] } }))).toEqual(['spec.template.spec.containers: Required value']);
  });

  it('requires each container`s name', () => {
    expect(messages(pod({ containers: [{ image: 'a' }, { name: '' }, { name: 5 }, 'x', { name: 'ok' }] }))).toEqual([
      'spec.containers[0].name: Required value',
      'spec.containers[1].name: Required value',
      'spec.containers[2].name: Required value',
      'spec.containers[3].name: Required value',
    ]);
  });

  it('refuses a name used twice, at each later use', () => {
    expect(validate(pod({ containers: [{ name: 'a' }, { name: 'b' }, { name: 'a' }, { name: 'a' }] }))).toEqual([
      { path: ['spec', 'containers', 2, 'name'], type: 'Duplicate value', value: 'a', detail: '' },
      { path: ['spec', 'containers', 3, 'name'], type: 'Duplicate value', value: 'a', detail: '' },
    ]);
    expect(messages(workload('StatefulSet', { podSpec: { containers: [{ name: 'web' }, { name: 'web' }] } }))).toEqual(['spec.template.spec.containers[1].name: Duplicate value: "web"']);
  });

  it('reports every problem of a workload, selector first and restart policy last', () => {
    const object = workload('Job', { apiVersion: 'batch/v1', spec: { parallelism: -1 }, podSpec: { restartPolicy: 'Always', containers: [{ name: 'a' }, {}, { name: 'a' }] } });
    expect(messages(object)).toEqual([
      'spec.parallelism: Invalid value: -1: must be greater than or equal to 0',
      'spec.template.spec.containers[1].name: Required value',
      'spec.template.spec.containers[2].name: Duplicate value: "a"',
      'spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
    ]);
    expect(messages(workload('Deployment', { spec: { selector: {}, replicas: -1 }, podSpec: { containers: [] } }))).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
      'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      'spec.template.spec.containers: Required value',
    ]);
  });
});
