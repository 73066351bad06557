import { describe, expect, it } from 'vitest';
import { KINDS } from '../core/kubernetes/kinds.js';
import { MATCH_EVERYTHING } from '../core/kubernetes/label-selector.js';
import type { JsonRecord } from '../core/kubernetes/shape.js';
import { auditObjects } from '../engine/audit.js';
import { defaultPolicy } from '../policy/policy.js';
import { RULES } from '../rules/index.js';
import { ObjectStore } from './object-store.js';

const JUDGED = KINDS.filter((spec) => spec.admission);

const MANAGED_FIELDS = [
  { manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'apps/v1', time: '2026-05-30T09:12:44Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } },
  { manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'apps/v1', time: '2026-05-30T09:12:45Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:status': {} }, subresource: 'status' },
];

/** A list item as the API server returns it: no apiVersion or kind, managedFields included. */
function deploymentItem(name: string, namespace = 'team-a', replicas = 2): JsonRecord {
  const labels = { app: name };
  return {
    metadata: { name, namespace, uid: `uid-${namespace}-${name}`, resourceVersion: '48213', generation: 4, labels, annotations: { 'deployment.kubernetes.io/revision': '4' }, managedFields: MANAGED_FIELDS },
    spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'registry.example.com/app:1.4.2' }] } } },
    status: { readyReplicas: replicas },
  };
}

function podItem(name: string, namespace = 'team-a'): JsonRecord {
  return { metadata: { name, namespace, uid: `uid-pod-${namespace}-${name}`, labels: { app: 'web' }, managedFields: MANAGED_FIELDS }, spec: { containers: [{ name: 'app', image: 'x' }] } };
}

function namespaceItem(name: string): JsonRecord {
  return { metadata: { name, uid: `uid-ns-${name}`, labels: { 'kubernetes.io/metadata.name': name }, managedFields: MANAGED_FIELDS }, spec: { finalizers: ['kubernetes'] } };
}

const names = (objects: readonly JsonRecord[]): string[] => objects.map((object) => `${String(object.kind)} ${(object.metadata as { name: string }).name}`);

describe('ObjectStore', () => {
  it('keeps a list’s items with the apiVersion and kind of their resource', () => {
    const store = new ObjectStore(JUDGED);
    store.replace('deployments', [deploymentItem('web')]);
    store.replace('pods', [podItem('web-5d8f7c9b4-x7k2p')]);
    store.replace('namespaces', [namespaceItem('team-a')]);
    const [deployment] = store.all().filter((object) => object.kind === 'Deployment');
    expect(deployment).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'team-a', uid: 'uid-team-a-web' } });
    expect(store.all().find((object) => object.kind === 'Pod')?.apiVersion).toBe('v1');
    expect(store.all().find((object) => object.kind === 'Namespace')?.apiVersion).toBe('v1');
  });

  it('drops managedFields, status and the last-applied annotation, and keeps the rest of the object as it was', () => {
    const store = new ObjectStore(JUDGED);
    const base = deploymentItem('web');
    const item = { ...base, metadata: { ...(base.metadata as Record<string, unknown>), annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"big":1}', team: 'shop' } } };
    store.replace('deployments', [item]);
    const [kept] = store.all();
    const { managedFields, ...metadata } = item.metadata as Record<string, unknown>;
    const { status, ...rest } = item as Record<string, unknown>;
    expect(managedFields).toBeDefined();
    expect(status).toBeDefined();
    expect(kept).toEqual({ ...rest, apiVersion: 'apps/v1', kind: 'Deployment', metadata: { ...metadata, annotations: { team: 'shop' } } });
    expect(kept?.metadata).not.toHaveProperty('managedFields');
    // The informer's object is not changed.
    expect((item.metadata as Record<string, unknown>).managedFields).toBe(MANAGED_FIELDS);
    expect(item).not.toHaveProperty('kind');
  });

  it('sets the kind of its resource over one the object names (a list item of an older version)', () => {
    const store = new ObjectStore(JUDGED);
    store.replace('deployments', [{ ...deploymentItem('legacy'), apiVersion: 'extensions/v1beta1', kind: 'Deployment' }]);
    expect(store.all()[0]).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment' });
  });

  it('replaces what it held with each list', () => {
    const store = new ObjectStore(JUDGED);
    store.replace('deployments', [deploymentItem('web'), deploymentItem('api')]);
    store.replace('deployments', [deploymentItem('worker')]);
    expect(names(store.all())).toEqual(['Deployment worker']);
    expect(store.count('deployments')).toBe(1);
    store.replace('deployments', []);
    expect(store.count('deployments')).toBe(0);
  });

  it('keys objects by namespace and name: the same name in two namespaces is two objects, in one namespace one', () => {
    const store = new ObjectStore(JUDGED);
    store.replace('deployments', [deploymentItem('web', 'team-a'), deploymentItem('web', 'team-b'), deploymentItem('web', 'team-a', 5)]);
    expect(store.count('deployments')).toBe(2);
    const teamA = store.all().find((object) => (object.metadata as { namespace: string }).namespace === 'team-a');
    expect((teamA?.spec as { replicas: number }).replicas).toBe(5);
  });

  it('keys cluster-scoped objects by name alone', () => {
    const store = new ObjectStore(JUDGED);
    store.replace('namespaces', [namespaceItem('team-a'), namespaceItem('team-b')]);
    store.apply('namespaces', 'DELETED', namespaceItem('team-a'));
    expect(names(store.all())).toEqual(['Namespace team-b']);
  });

  it('ignores an object without a name', () => {
    const store = new ObjectStore(JUDGED);
    store.replace('pods', [{ metadata: { generateName: 'web-', namespace: 'team-a' } }, { spec: {} }, podItem('web-1')]);
    expect(store.count('pods')).toBe(1);
    store.apply('pods', 'ADDED', { metadata: { namespace: 'team-a' } });
    expect(store.count('pods')).toBe(1);
  });

  it('applies watch events: ADDED and MODIFIED put the object, DELETED removes it', () => {
    const store = new ObjectStore(JUDGED);
    store.replace('deployments', [deploymentItem('web')]);
    store.apply('deployments', 'ADDED', deploymentItem('api'));
    expect(store.count('deployments')).toBe(2);
    store.apply('deployments', 'MODIFIED', deploymentItem('web', 'team-a', 7));
    expect(store.count('deployments')).toBe(2);
    const web = store.all().find((object) => (object.metadata as { name: string }).name === 'web');
    expect(web).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: 7 } });
    expect(web?.metadata).not.toHaveProperty('managedFields');
    store.apply('deployments', 'DELETED', deploymentItem('web'));
    expect(names(store.all())).toEqual(['Deployment api']);
    // Deleting what it does not hold changes nothing.
    store.apply('deployments', 'DELETED', deploymentItem('gone'));
    expect(store.count('deployments')).toBe(1);
  });

  it('lists every object, kinds in the order it was given them', () => {
    const store = new ObjectStore(JUDGED);
    store.replace('pods', [podItem('web-1')]);
    store.replace('cronjobs', [{ metadata: { name: 'backup', namespace: 'team-a' }, spec: {} }]);
    store.replace('networkpolicies', [{ metadata: { name: 'default-deny', namespace: 'team-a' }, spec: { podSelector: {} } }]);
    store.replace('namespaces', [namespaceItem('team-a')]);
    expect(names(store.all())).toEqual(['NetworkPolicy default-deny', 'Namespace team-a', 'Pod web-1', 'CronJob backup']);
  });

  it('counts each resource apart, and nothing for one it does not hold', () => {
    const store = new ObjectStore(JUDGED.filter((spec) => spec.kind === 'Pod' || spec.kind === 'Namespace'));
    store.replace('pods', [podItem('a'), podItem('b'), podItem('a', 'team-b')]);
    store.replace('namespaces', [namespaceItem('team-a')]);
    expect(store.count('pods')).toBe(3);
    expect(store.count('namespaces')).toBe(1);
    expect(store.count('deployments')).toBe(0);
  });

  it('refuses a resource it was not made for', () => {
    const store = new ObjectStore(JUDGED.filter((spec) => spec.kind === 'Pod'));
    expect(() => {
      store.replace('deployments', [deploymentItem('web')]);
    }).toThrow('no store for deployments');
    expect(() => {
      store.apply('secrets', 'ADDED', { metadata: { name: 's' } });
    }).toThrow('no store for secrets');
  });

  it('holds what an audit pass judges', () => {
    const store = new ObjectStore(JUDGED);
    store.replace('namespaces', [namespaceItem('team-a')]);
    store.replace('networkpolicies', [{ metadata: { name: 'default-deny', namespace: 'team-a', uid: 'uid-netpol' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } }]);
    const hostNetwork = deploymentItem('agent');
    const spec = hostNetwork.spec as { template: { spec: Record<string, unknown> } };
    store.replace('deployments', [{ ...hostNetwork, spec: { ...spec, template: { ...spec.template, spec: { ...spec.template.spec, hostNetwork: true } } } }]);
    const result = auditObjects(store.all(), { rules: RULES, policy: defaultPolicy(RULES), now: Date.parse('2026-06-01T12:00:00Z'), scope: { namespaceSelector: MATCH_EVERYTHING, objectSelector: MATCH_EVERYTHING } });
    expect(result.audited.map(({ reference }) => reference.kind)).toEqual(['NetworkPolicy', 'Namespace', 'Deployment']);
    const agent = result.audited.find(({ reference }) => reference.kind === 'Deployment');
    expect(agent?.reference).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'team-a', name: 'agent', uid: 'uid-team-a-agent' });
    expect(agent?.result.violations.map((violation) => violation.rule)).toEqual(['pod-host-network']);
  });
});
