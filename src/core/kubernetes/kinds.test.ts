import { describe, expect, it } from 'vitest';
import { admissionKindOf, apiGroupOf, judgesSubresource, kindOf, webhookRules } from './kinds.js';

describe('webhookRules', () => {
  it('registers CREATE and UPDATE of every judged kind, with the status subresource of Pods, and DELETE of NetworkPolicies', () => {
    const namespaced = { operations: ['CREATE', 'UPDATE'], scope: 'Namespaced' };
    expect(webhookRules()).toEqual([
      // Deleting a policy can leave pods open: warned about, never refused.
      { ...namespaced, operations: ['CREATE', 'UPDATE', 'DELETE'], apiGroups: ['networking.k8s.io'], apiVersions: ['v1'], resources: ['networkpolicies'] },
      { ...namespaced, apiGroups: [''], apiVersions: ['v1'], resources: ['namespaces'], scope: 'Cluster' },
      // A Pod's labels can change through pods/status, which would escape a rule on pods alone.
      { ...namespaced, apiGroups: [''], apiVersions: ['v1'], resources: ['pods', 'pods/status'] },
      { ...namespaced, apiGroups: [''], apiVersions: ['v1'], resources: ['podtemplates'] },
      { ...namespaced, apiGroups: [''], apiVersions: ['v1'], resources: ['replicationcontrollers'] },
      { ...namespaced, apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments'] },
      { ...namespaced, apiGroups: ['apps'], apiVersions: ['v1'], resources: ['statefulsets'] },
      { ...namespaced, apiGroups: ['apps'], apiVersions: ['v1'], resources: ['daemonsets'] },
      { ...namespaced, apiGroups: ['apps'], apiVersions: ['v1'], resources: ['replicasets'] },
      { ...namespaced, apiGroups: ['batch'], apiVersions: ['v1'], resources: ['jobs'] },
      { ...namespaced, apiGroups: ['batch'], apiVersions: ['v1'], resources: ['cronjobs'] },
    ]);
  });

  it('never registers the legacy extensions group, which the API server no longer serves', () => {
    expect(webhookRules().flatMap((rule) => rule.apiGroups)).not.toContain('extensions');
  });
});

describe('kindOf and admissionKindOf', () => {
  it('reads the group from apiVersion, the core group having none', () => {
    expect(apiGroupOf('v1')).toBe('');
    expect(apiGroupOf('apps/v1')).toBe('apps');
    expect(apiGroupOf('networking.k8s.io/v1')).toBe('networking.k8s.io');
  });

  it('accepts the legacy groups a manifest may still name, but admits only the registered group', () => {
    expect(kindOf('extensions/v1beta1', 'Deployment')?.kind).toBe('Deployment');
    expect(kindOf('extensions/v1beta1', 'StatefulSet')).toBeUndefined();
    expect(admissionKindOf('extensions', 'v1beta1', 'Deployment')).toBeUndefined();
    expect(admissionKindOf('apps', 'v1', 'Deployment')?.resource).toBe('deployments');
  });

  it('judges writes to the object itself and to the subresources listed for its kind', () => {
    const pods = admissionKindOf('', 'v1', 'Pod');
    if (pods === undefined) throw new Error('no Pod kind');
    expect(judgesSubresource(pods, '')).toBe(true);
    expect(judgesSubresource(pods, 'status')).toBe(true);
    expect(judgesSubresource(pods, 'ephemeralcontainers')).toBe(false);
  });
});
