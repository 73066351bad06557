import { describe, expect, it } from 'vitest';
import { decodeFailureMessage, decodeTypeErrors, type DecodeTypeError } from './decode-types.js';
import type { JsonRecord } from './shape.js';

const messagesOf = (object: JsonRecord, kind: string): string[] => decodeTypeErrors(object, kind).map((error) => error.message);

function firstError(object: JsonRecord, kind: string): DecodeTypeError {
  const [error] = decodeTypeErrors(object, kind);
  if (error === undefined) throw new Error('expected a decoding error');
  return error;
}

function deployment(spec: Readonly<Record<string, unknown>>): JsonRecord {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec };
}

function policy(spec: Readonly<Record<string, unknown>>): JsonRecord {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'np' }, spec };
}

describe('decodeTypeErrors: objects that decode', () => {
  it('finds nothing wrong with well-typed objects', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'n', labels: { app: 'web' }, annotations: { a: 'b' } },
      spec: { hostNetwork: false, containers: [{ name: 'a', image: 'nginx', ports: [{ containerPort: 80, hostPort: 8080, protocol: 'TCP', name: 'http', hostIP: '0.0.0.0' }] }] },
    };
    expect(decodeTypeErrors(pod, 'Pod')).toEqual([]);
    const netpol = policy({ podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ port: 80, endPort: 90 }, { port: 'http' }] }] });
    expect(decodeTypeErrors(netpol, 'NetworkPolicy')).toEqual([]);
  });

  it('accepts null anywhere (the zero value) and whole floats for integers', () => {
    expect(decodeTypeErrors({ metadata: { labels: { a: null }, name: null }, spec: { hostNetwork: null, containers: null } }, 'Pod')).toEqual([]);
    expect(decodeTypeErrors(deployment({ replicas: 3.0, template: { spec: { containers: [{ ports: [{ containerPort: 2 ** 31 - 1 }, { containerPort: -(2 ** 31) }] }] } } }), 'Deployment')).toEqual([]);
  });

  it('does not check kinds or fields outside its schema', () => {
    expect(decodeTypeErrors({ metadata: { labels: { a: true } } }, 'ConfigMap')).toEqual([]);
    expect(decodeTypeErrors({ spec: { containers: [{ resources: 5, env: 'x' }], dnsPolicy: true } }, 'Pod')).toEqual([]);
  });
});

describe('decodeTypeErrors: scalars of the wrong JSON type', () => {
  it('names a bool label value as encoding/json does', () => {
    expect(decodeTypeErrors({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { enabled: true } } }, 'Pod')).toEqual([
      {
        path: ['metadata', 'labels', 'enabled'],
        value: true,
        message: 'json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string',
        expects: 'a string',
      },
    ]);
  });

  it.each([
    [{ metadata: { labels: { v: 1.1 } } }, 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string'],
    [{ metadata: { annotations: { v: ['x'] } } }, 'json: cannot unmarshal array into Go struct field ObjectMeta.metadata.annotations of type string'],
    [{ metadata: { name: 5 } }, 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.name of type string'],
    [{ metadata: { namespace: { a: 1 } } }, 'json: cannot unmarshal object into Go struct field ObjectMeta.metadata.namespace of type string'],
    [{ metadata: { generateName: false } }, 'json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.generateName of type string'],
    [{ spec: { hostNetwork: 'true' } }, 'json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork of type bool'],
    [{ spec: { hostPID: 1 } }, 'json: cannot unmarshal number into Go struct field PodSpec.spec.hostPID of type bool'],
    [{ spec: { hostIPC: [] } }, 'json: cannot unmarshal array into Go struct field PodSpec.spec.hostIPC of type bool'],
    [{ spec: { containers: [{ name: 1 }] } }, 'json: cannot unmarshal number into Go struct field Container.spec.containers.name of type string'],
    [{ spec: { initContainers: [{ image: false }] } }, 'json: cannot unmarshal bool into Go struct field Container.spec.initContainers.image of type string'],
    [{ spec: { containers: [{ ports: [{ containerPort: '80' }] }] } }, 'json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32'],
    [{ spec: { containers: [{ ports: [{ containerPort: 1.5 }] }] } }, 'json: cannot unmarshal number 1.5 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32'],
    [{ spec: { containers: [{ ports: [{ hostPort: 3000000000 }] }] } }, 'json: cannot unmarshal number 3000000000 into Go struct field ContainerPort.spec.containers.ports.hostPort of type int32'],
    [{ spec: { containers: [{ ports: [{ hostPort: -2147483649 }] }] } }, 'json: cannot unmarshal number -2147483649 into Go struct field ContainerPort.spec.containers.ports.hostPort of type int32'],
    [{ spec: { containers: [{ ports: [{ containerPort: true }] }] } }, 'json: cannot unmarshal bool into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32'],
    [{ spec: { containers: [{ ports: [{ protocol: 6 }] }] } }, 'json: cannot unmarshal number into Go struct field ContainerPort.spec.containers.ports.protocol of type string'],
    [{ spec: { containers: [{ ports: [{ hostIP: 0 }] }] } }, 'json: cannot unmarshal number into Go struct field ContainerPort.spec.containers.ports.hostIP of type string'],
  ])('refuses %j on a Pod', (object, message) => {
    expect(messagesOf(object, 'Pod')).toEqual([message]);
  });

  it('gives the path with list indices and the value', () => {
    const error = firstError({ spec: { containers: [{ name: 'a' }, { name: 'b', ports: [{ containerPort: 80 }, { containerPort: '8080' }] }] } }, 'Pod');
    expect(error.path).toEqual(['spec', 'containers', 1, 'ports', 1, 'containerPort']);
    expect(error.value).toBe('8080');
    expect(error.expects).toBe('a whole number');
  });

  it.each([
    [{ spec: { hostNetwork: 'yes' } }, 'true or false'],
    [{ spec: { containers: [{ ports: [{ containerPort: 'x' }] }] } }, 'a whole number'],
    [{ metadata: { labels: { a: 1 } } }, 'a string'],
    [{ spec: { containers: 'x' } }, 'a list'],
    [{ metadata: { labels: 'x' } }, 'a map'],
    [{ spec: 'x' }, 'a map'],
  ])('says what %j expects: %s', (object, expects) => {
    expect(firstError(object, 'Pod').expects).toBe(expects);
  });
});

describe('decodeTypeErrors: collections of the wrong JSON type', () => {
  it.each([
    [{ metadata: 'x' }, 'json: cannot unmarshal string into Go struct field Pod.metadata of type v1.ObjectMeta'],
    [{ metadata: { labels: 'app=web' } }, 'json: cannot unmarshal string into Go struct field ObjectMeta.metadata.labels of type map[string]string'],
    [{ metadata: { annotations: [] } }, 'json: cannot unmarshal array into Go struct field ObjectMeta.metadata.annotations of type map[string]string'],
    [{ spec: 'x' }, 'json: cannot unmarshal string into Go struct field Pod.spec of type v1.PodSpec'],
    [{ spec: { containers: {} } }, 'json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container'],
    [{ spec: { containers: ['nginx'] } }, 'json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type v1.Container'],
    [{ spec: { containers: [{ ports: 80 }] } }, 'json: cannot unmarshal number into Go struct field Container.spec.containers.ports of type []v1.ContainerPort'],
  ])('refuses %j on a Pod', (object, message) => {
    expect(messagesOf(object, 'Pod')).toEqual([message]);
  });
});

describe('decodeTypeErrors: workloads', () => {
  it('reports every error in document order, struct by struct', () => {
    const object = deployment({
      replicas: 1.5,
      selector: { matchLabels: { a: false }, matchExpressions: [{ key: 'k', operator: 'In', values: [1] }] },
      template: { metadata: { labels: { x: 2 } }, spec: { hostNetwork: 'no', containers: {} } },
    });
    expect(decodeTypeErrors(object, 'Deployment').map((error) => [error.path, error.message])).toEqual([
      [['spec', 'replicas'], 'json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32'],
      [['spec', 'selector', 'matchLabels', 'a'], 'json: cannot unmarshal bool into Go struct field LabelSelector.spec.selector.matchLabels of type string'],
      [['spec', 'selector', 'matchExpressions', 0, 'values', 0], 'json: cannot unmarshal number into Go struct field LabelSelectorRequirement.spec.selector.matchExpressions.values of type string'],
      [['spec', 'template', 'metadata', 'labels', 'x'], 'json: cannot unmarshal number into Go struct field ObjectMeta.spec.template.metadata.labels of type string'],
      [['spec', 'template', 'spec', 'hostNetwork'], 'json: cannot unmarshal string into Go struct field PodSpec.spec.template.spec.hostNetwork of type bool'],
      [['spec', 'template', 'spec', 'containers'], 'json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container'],
    ]);
  });

  it.each([
    ['StatefulSet', { replicas: '2', serviceName: 1 }, ['json: cannot unmarshal string into Go struct field StatefulSetSpec.spec.replicas of type int32', 'json: cannot unmarshal number into Go struct field StatefulSetSpec.spec.serviceName of type string']],
    ['DaemonSet', { selector: 'app=web' }, ['json: cannot unmarshal string into Go struct field DaemonSetSpec.spec.selector of type v1.LabelSelector']],
    ['ReplicaSet', { template: [] }, ['json: cannot unmarshal array into Go struct field ReplicaSetSpec.spec.template of type v1.PodTemplateSpec']],
    ['ReplicationController', { replicas: '2', selector: { a: 1 } }, ['json: cannot unmarshal string into Go struct field ReplicationControllerSpec.spec.replicas of type int32', 'json: cannot unmarshal number into Go struct field ReplicationControllerSpec.spec.selector of type string']],
    ['Job', { parallelism: 'x', completions: 2 ** 31, backoffLimit: 1.5 }, ['json: cannot unmarshal string into Go struct field JobSpec.spec.parallelism of type int32', 'json: cannot unmarshal number 2147483648 into Go struct field JobSpec.spec.completions of type int32', 'json: cannot unmarshal number 1.5 into Go struct field JobSpec.spec.backoffLimit of type int32']],
  ])('checks a %s spec', (kind, spec, messages) => {
    expect(messagesOf({ spec }, kind)).toEqual(messages);
  });

  it('checks a CronJob down to its pod template', () => {
    const object = { spec: { schedule: 5, suspend: 'no', jobTemplate: { metadata: { labels: { a: true } }, spec: { backoffLimit: '3', template: { spec: { hostPID: 1 } } } } } };
    expect(decodeTypeErrors(object, 'CronJob').map((error) => [error.path, error.message])).toEqual([
      [['spec', 'schedule'], 'json: cannot unmarshal number into Go struct field CronJobSpec.spec.schedule of type string'],
      [['spec', 'suspend'], 'json: cannot unmarshal string into Go struct field CronJobSpec.spec.suspend of type bool'],
      [['spec', 'jobTemplate', 'metadata', 'labels', 'a'], 'json: cannot unmarshal bool into Go struct field ObjectMeta.spec.jobTemplate.metadata.labels of type string'],
      [['spec', 'jobTemplate', 'spec', 'template', 'spec', 'hostPID'], 'json: cannot unmarshal number into Go struct field PodSpec.spec.jobTemplate.spec.template.spec.hostPID of type bool'],
      [['spec', 'jobTemplate', 'spec', 'backoffLimit'], 'json: cannot unmarshal string into Go struct field JobSpec.spec.jobTemplate.spec.backoffLimit of type int32'],
    ]);
  });

  it('checks a PodTemplate`s template and a Namespace`s finalizers', () => {
    expect(messagesOf({ template: { spec: { initContainers: [{ name: 1 }] } } }, 'PodTemplate')).toEqual([
      'json: cannot unmarshal number into Go struct field Container.template.spec.initContainers.name of type string',
    ]);
    expect(messagesOf({ spec: { finalizers: [true] } }, 'Namespace')).toEqual(['json: cannot unmarshal bool into Go struct field NamespaceSpec.spec.finalizers of type string']);
  });
});

describe('decodeTypeErrors: NetworkPolicy', () => {
  it.each([
    [{ podSelector: [] }, 'json: cannot unmarshal array into Go struct field NetworkPolicySpec.spec.podSelector of type v1.LabelSelector'],
    [{ policyTypes: 'Ingress' }, 'json: cannot unmarshal string into Go struct field NetworkPolicySpec.spec.policyTypes of type []string'],
    [{ ingress: {} }, 'json: cannot unmarshal object into Go struct field NetworkPolicySpec.spec.ingress of type []v1.NetworkPolicyIngressRule'],
    [{ ingress: [{ from: [{ ipBlock: { cidr: 1 } }] }] }, 'json: cannot unmarshal number into Go struct field IPBlock.spec.ingress.from.ipBlock.cidr of type string'],
    [{ egress: [{ to: [{ namespaceSelector: { matchLabels: { a: 1 } } }] }] }, 'json: cannot unmarshal number into Go struct field LabelSelector.spec.egress.to.namespaceSelector.matchLabels of type string'],
    [{ egress: [{ to: [{ ipBlock: { except: '10.0.0.0/8' } }] }] }, 'json: cannot unmarshal string into Go struct field IPBlock.spec.egress.to.ipBlock.except of type []string'],
    [{ ingress: [{ ports: [{ port: 80, endPort: '90' }] }] }, 'json: cannot unmarshal string into Go struct field NetworkPolicyPort.spec.ingress.ports.endPort of type int32'],
    [{ ingress: [{ ports: [{ protocol: 6 }] }] }, 'json: cannot unmarshal number into Go struct field NetworkPolicyPort.spec.ingress.ports.protocol of type string'],
  ])('refuses %j', (spec, message) => {
    expect(messagesOf(policy(spec), 'NetworkPolicy')).toEqual([message]);
  });

  it.each([
    [1.5, 'number 1.5'],
    [2 ** 31, 'number 2147483648'],
    [true, 'bool'],
    [{}, 'object'],
    [[80], 'array'],
  ])('decodes a port that is not a string into its int32: %j', (port, jsonType) => {
    expect(decodeTypeErrors(policy({ egress: [{ ports: [{ port }] }] }), 'NetworkPolicy')).toEqual([
      {
        path: ['spec', 'egress', 0, 'ports', 0, 'port'],
        value: port,
        message: `json: cannot unmarshal ${jsonType} into Go struct field NetworkPolicyPort.spec.egress.ports.port of type int32`,
        expects: 'a port number or name',
      },
    ]);
  });

  it('accepts a port given as a number or a name', () => {
    expect(decodeTypeErrors(policy({ ingress: [{ ports: [{ port: 443 }, { port: 'https' }, { port: '443' }] }] }), 'NetworkPolicy')).toEqual([]);
  });
});

describe('decodeFailureMessage', () => {
  it('words a spec error as the API server answers it', () => {
    const error = firstError({ spec: { hostNetwork: 'true' } }, 'Pod');
    expect(decodeFailureMessage('Pod', 'v1', error)).toBe('Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork of type bool');
  });

  it('names the version without the group', () => {
    const error = firstError(deployment({ replicas: '3' }), 'Deployment');
    expect(decodeFailureMessage('Deployment', 'apps/v1', error)).toBe(
      'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
    );
    const port = firstError(policy({ ingress: [{ ports: [{ port: 1.5 }] }] }), 'NetworkPolicy');
    expect(decodeFailureMessage('NetworkPolicy', 'networking.k8s.io/v1', port)).toBe(
      'NetworkPolicy in version "v1" cannot be handled as a NetworkPolicy: json: cannot unmarshal number 1.5 into Go struct field NetworkPolicyPort.spec.ingress.ports.port of type int32',
    );
  });

  it('words a metadata error as kubectl, which decodes the metadata itself, prints it', () => {
    const error = firstError({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { enabled: true } } }, 'Pod');
    expect(decodeFailureMessage('Pod', 'v1', error)).toBe('error: unable to decode: json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string');
  });

  it('words a template`s metadata error as the API server does (only the top-level metadata is kubectl`s)', () => {
    const error = firstError(deployment({ template: { metadata: { labels: { a: 1 } } } }), 'Deployment');
    expect(decodeFailureMessage('Deployment', 'apps/v1', error)).toBe(
      'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal number into Go struct field ObjectMeta.spec.template.metadata.labels of type string',
    );
  });
});
