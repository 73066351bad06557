/** Small builders for objects used across tests. */
export function networkPolicy(name: string, spec: Record<string, unknown>, namespace = 'team-a', labels?: Record<string, string>): Record<string, unknown> {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace, ...(labels ? { labels } : {}) }, spec };
}

export function pod(name: string, spec: Record<string, unknown>, labels?: Record<string, string>, namespace = 'team-a'): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, ...(labels ? { labels } : {}) }, spec };
}

export const WORLD_INGRESS = networkPolicy('world', {
  podSelector: {},
  policyTypes: ['Ingress'],
  ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }],
});

export const HOST_NETWORK_POD = pod('agent', { hostNetwork: true, containers: [{ name: 'c', image: 'x' }] }, { app: 'agent' });
