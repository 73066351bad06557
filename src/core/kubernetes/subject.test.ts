import { describe, expect, it } from 'vitest';
import { networkPolicy, pod } from '../../../test/helpers/objects.js';
import { KINDS } from './kinds.js';
import { readSubject } from './subject.js';

describe('readSubject: identity', () => {
  it('reads apiVersion, kind, name, namespace and labels of a namespaced object', () => {
    const subject = readSubject(pod('web', { containers: [] }, { app: 'web' }), 'default');
    expect(subject).toMatchObject({ apiVersion: 'v1', kind: 'Pod', name: 'web', namespace: 'team-a', labels: { app: 'web' }, judgedAs: 'PodTemplate' });
  });

  it('reads an object without apiVersion or kind as neither, judged by no rule', () => {
    const subject = readSubject({ metadata: { name: 'x' } }, 'default');
    expect(subject.apiVersion).toBe('');
    expect(subject.kind).toBe('');
    expect(subject.judgedAs).toBe('Other');
  });

  it('names an object by metadata.name, else by its generateName prefix, else not at all', () => {
    const named = (metadata: Record<string, unknown>) => readSubject({ apiVersion: 'v1', kind: 'Pod', metadata, spec: {} }, 'default').name;
    // The API server ignores generateName when a name is given.
    expect(named({ name: 'web-0', generateName: 'web-' })).toBe('web-0');
    expect(named({ generateName: 'web-' })).toBe('web-');
    expect(named({})).toBe('');
    expect(named({ name: 7, generateName: 'web-' })).toBe('web-');
  });

  it('places a namespaced object without a namespace in the namespace it is applied to', () => {
    const subject = readSubject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} }, 'apply-ns');
    expect(subject.namespace).toBe('apply-ns');
  });

  it('takes a Namespace, which is cluster-scoped, as its own namespace', () => {
    const subject = readSubject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-b', labels: { env: 'prod' } } }, 'default');
    expect(subject).toMatchObject({ judgedAs: 'Namespace', name: 'team-b', namespace: 'team-b', labels: { env: 'prod' } });
    // A namespace field on a cluster-scoped object means nothing.
    expect(readSubject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-b', namespace: 'other' } }, 'default').namespace).toBe('team-b');
  });
});

describe('readSubject: kind models', () => {
  it('gives a NetworkPolicy of networking.k8s.io its policy model', () => {
    const subject = readSubject(networkPolicy('deny', { podSelector: {} }), 'default');
    if (subject.judgedAs !== 'NetworkPolicy') throw new Error(`judged as ${subject.judgedAs}`);
    expect(subject.networkPolicy.name).toBe('deny');
    expect(subject.networkPolicy.namespace).toBe('team-a');
    expect(subject.spec.resource).toBe('networkpolicies');
  });

  it('judges a NetworkPolicy of another group (Calico) as no kind of ours', () => {
    const subject = readSubject({ apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'c', namespace: 'x' }, spec: {} }, 'default');
    expect(subject.judgedAs).toBe('Other');
    expect(subject.namespace).toBe('x');
  });

  it('gives a workload its pod template, read where its kind keeps it', () => {
    const cronJob = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly', labels: { owner: 'ops' } },
      spec: { jobTemplate: { spec: { template: { metadata: { labels: { app: 'batch' } }, spec: { hostNetwork: true } } } } },
    };
    const subject = readSubject(cronJob, 'default');
    if (subject.judgedAs !== 'PodTemplate') throw new Error(`judged as ${subject.judgedAs}`);
    expect(subject.labels).toEqual({ owner: 'ops' });
    expect(subject.podTemplate.labels).toEqual({ app: 'batch' });
    expect(subject.podTemplate.spec).toEqual({ hostNetwork: true });
    expect(subject.podTemplate.specPath).toEqual(['spec', 'jobTemplate', 'spec', 'template', 'spec']);
  });

  it('knows where the pod template of every kind judged as a pod template lives', () => {
    for (const spec of KINDS.filter((kind) => kind.judgedAs === 'PodTemplate')) {
      const subject = readSubject({ apiVersion: spec.group === '' ? spec.version : `${spec.group}/${spec.version}`, kind: spec.kind, metadata: { name: 'x' } }, 'default');
      expect(subject.judgedAs, spec.kind).toBe('PodTemplate');
    }
  });
});
