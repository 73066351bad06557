import { describe, expect, it } from 'vitest';
import { networkPolicy } from '../../../test/helpers/objects.js';
import { readNetworkPolicy, type PolicyPort } from '../kubernetes/network-policy.js';
import { podSetExposure, policiesSelecting, portAdmits, rulePortsAdmit } from './exposure.js';

const read = (name: string, spec: Record<string, unknown>) => readNetworkPolicy(networkPolicy(name, spec), 'default');

const quarter = (name: string, cidr: string, selector: Record<string, unknown> = {}) =>
  read(name, { podSelector: selector, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr } }], ports: [{ port: 443 }] }] });

describe('policiesSelecting', () => {
  const web = quarter('web-only', '0.0.0.0/2', { matchLabels: { app: 'web' } });
  const egressOnly = read('egress', { podSelector: {}, policyTypes: ['Egress'] });
  const denyAll = read('deny', { podSelector: {} });

  it('takes the policies whose podSelector selects the labels and whose policyTypes hold the direction', () => {
    expect(policiesSelecting([web, egressOnly, denyAll], { app: 'web' }, 'ingress').map((p) => p.name)).toEqual(['web-only', 'deny']);
    expect(policiesSelecting([web, egressOnly, denyAll], { app: 'db' }, 'ingress').map((p) => p.name)).toEqual(['deny']);
    expect(policiesSelecting([web, egressOnly, denyAll], { app: 'web' }, 'egress').map((p) => p.name)).toEqual(['egress']);
  });
});

describe('podSetExposure: policies add up per pod', () => {
  it('leaves pods that no policy selects open to every address', () => {
    const exposure = podSetExposure([], { app: 'web' }, 'ingress');
    expect(exposure.isolated).toBe(false);
    expect(exposure.admitted.toCidrStrings()).toEqual(['0.0.0.0/0', '::/0']);
    expect(exposure.grants).toEqual([]);
    expect(exposure.policies).toEqual([]);
  });

  it('isolates pods selected by a deny-all policy and admits nothing', () => {
    const exposure = podSetExposure([read('deny', { podSelector: {} })], {}, 'ingress');
    expect(exposure.isolated).toBe(true);
    expect(exposure.admitted.isEmpty()).toBe(true);
    expect(exposure.policies.map((p) => p.name)).toEqual(['deny']);
  });

  it('unions what four policies admit: four quarters are the whole IPv4 space', () => {
    const policies = [quarter('q1', '0.0.0.0/2'), quarter('q2', '64.0.0.0/2'), quarter('q3', '128.0.0.0/2'), quarter('q4', '192.0.0.0/2')];
    const exposure = podSetExposure(policies, { app: 'web' }, 'ingress');
    expect(exposure.admitted.toCidrStrings()).toEqual(['0.0.0.0/0']);
    expect(exposure.grants.map((grant) => [grant.policy.name, grant.addresses.toCidrStrings(), grant.ports.map((port) => port.port)])).toEqual([
      ['q1', ['0.0.0.0/2'], [443]],
      ['q2', ['64.0.0.0/2'], [443]],
      ['q3', ['128.0.0.0/2'], [443]],
      ['q4', ['192.0.0.0/2'], [443]],
    ]);
  });

  it('counts only the policies that select the pods', () => {
    const policies = [quarter('all', '0.0.0.0/2'), quarter('db-only', '64.0.0.0/2', { matchLabels: { app: 'db' } })];
    expect(podSetExposure(policies, { app: 'web' }, 'ingress').admitted.toCidrStrings()).toEqual(['0.0.0.0/2']);
    expect(podSetExposure(policies, { app: 'db' }, 'ingress').admitted.toCidrStrings()).toEqual(['0.0.0.0/1']);
  });

  it('takes a rule without peers as every address, and a selector peer as no external address', () => {
    const open = read('open', { podSelector: {}, ingress: [{}] });
    const selectors = read('selectors', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'front' } } }] }] });
    expect(podSetExposure([open], {}, 'ingress').admitted.toCidrStrings()).toEqual(['0.0.0.0/0', '::/0']);
    expect(podSetExposure([selectors], {}, 'ingress').admitted.isEmpty()).toBe(true);
    expect(podSetExposure([selectors], {}, 'ingress').grants).toHaveLength(1);
  });
});

describe('ports', () => {
  const entry = (fields: Partial<PolicyPort>): PolicyPort => ({ path: ['spec', 'egress', 0, 'ports', 0], protocol: 'TCP', ...fields });

  it.each<[string, PolicyPort, string, number, boolean]>([
    ['a port entry without a port: every port of its protocol', entry({}), 'TCP', 53, true],
    ['… but not another protocol', entry({}), 'UDP', 53, false],
    ['a single port', entry({ port: 53 }), 'TCP', 53, true],
    ['a single port, another number', entry({ port: 53 }), 'TCP', 54, false],
    ['a range, at its first port', entry({ port: 50, endPort: 60 }), 'TCP', 50, true],
    ['a range, at its last port', entry({ port: 50, endPort: 60 }), 'TCP', 60, true],
    ['a range, just past it', entry({ port: 50, endPort: 60 }), 'TCP', 61, false],
    ['a range, just before it', entry({ port: 50, endPort: 60 }), 'TCP', 49, false],
    ['a named port (resolved per container, never by number)', entry({ port: 'dns' }), 'TCP', 53, false],
  ])('%s', (_name, port, protocol, number, expected) => {
    expect(portAdmits(port, protocol, number)).toBe(expected);
  });

  it('takes a rule with no ports as every port, and otherwise any of its entries', () => {
    expect(rulePortsAdmit([], 'SCTP', 9)).toBe(true);
    expect(rulePortsAdmit([entry({ port: 80 }), entry({ port: 443 })], 'TCP', 443)).toBe(true);
    expect(rulePortsAdmit([entry({ port: 80 }), entry({ port: 443 })], 'TCP', 8443)).toBe(false);
  });
});
