import { describe, expect, it } from 'vitest';
import { kindOf, type KindSpec } from './kinds.js';
import { containerPorts, readPodTemplate } from './pod-template.js';

function kind(apiVersion: string, name: string): KindSpec {
  const spec = kindOf(apiVersion, name);
  if (spec === undefined) throw new Error(`no kind ${apiVersion} ${name}`);
  return spec;
}

describe('readPodTemplate', () => {
  it('has no pod template for kinds that carry none', () => {
    expect(readPodTemplate({ spec: { podSelector: {} } }, kind('networking.k8s.io/v1', 'NetworkPolicy'))).toBeUndefined();
    expect(readPodTemplate({ metadata: { name: 'ns' } }, kind('v1', 'Namespace'))).toBeUndefined();
  });

  it('takes a Pod as its own template', () => {
    const template = readPodTemplate({ metadata: { labels: { app: 'web' } }, spec: { hostNetwork: true } }, kind('v1', 'Pod'));
    expect(template).toEqual({ metadataPath: ['metadata'], specPath: ['spec'], labels: { app: 'web' }, spec: { hostNetwork: true } });
  });

  it('reads a workload without a template as an empty one', () => {
    expect(readPodTemplate({ spec: {} }, kind('apps/v1', 'Deployment'))).toEqual({
      metadataPath: ['spec', 'template', 'metadata'],
      specPath: ['spec', 'template', 'spec'],
      labels: {},
      spec: {},
    });
  });
});

describe('containerPorts', () => {
  it('lists the ports of containers and initContainers, naming an unnamed container by its index', () => {
    const template = readPodTemplate(
      { spec: { containers: [{ name: 'web', ports: [{ containerPort: 80, hostPort: 8080, protocol: 'TCP', name: 'http' }] }, { ports: [{ containerPort: 9090 }] }], initContainers: [{ ports: [{ containerPort: 53 }] }] } },
      kind('v1', 'Pod'),
    );
    if (template === undefined) throw new Error('no template');
    expect(containerPorts(template)).toEqual([
      { path: ['spec', 'containers', 0, 'ports', 0], containerName: 'web', hostPort: 8080, containerPort: 80, protocol: 'TCP', name: 'http' },
      { path: ['spec', 'containers', 1, 'ports', 0], containerName: '#1', hostPort: undefined, containerPort: 9090, protocol: undefined, name: undefined },
      { path: ['spec', 'initContainers', 0, 'ports', 0], containerName: '#0', hostPort: undefined, containerPort: 53, protocol: undefined, name: undefined },
    ]);
  });
});
