import { INVALID_CIDR_REASON, parseCidr } from '../net/cidr.js';
import { describe, expect, it } from 'vitest';
import { networkPolicy } from '../../../test/helpers/objects.js';
import { MATCH_EVERYTHING } from './label-selector.js';
import { readNetworkPolicy } from './network-policy.js';

const read = (spec: Record<string, unknown>) => readNetworkPolicy(networkPolicy('np', spec), 'default');

describe('readNetworkPolicy: identity', () => {
  it('reads name and namespace, defaulting the namespace to the one it is applied in', () => {
    expect(read({}).name).toBe('np');
    expect(read({}).namespace).toBe('team-a');
    const bare = readNetworkPolicy({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', spec: {} }, 'apply-ns');
    expect(bare.name).toBe('');
    expect(bare.namespace).toBe('apply-ns');
  });

  it('selects every pod of the namespace when podSelector is absent or empty', () => {
    expect(read({}).podSelector).toEqual(MATCH_EVERYTHING);
    expect(read({ podSelector: {} }).podSelector).toEqual(MATCH_EVERYTHING);
    expect(read({ podSelector: { matchLabels: { app: 'web' } } }).podSelector).toEqual({ requirements: [{ key: 'app', operator: 'In', values: ['web'] }] });
  });
});

describe('readNetworkPolicy: policyTypes defaulting (networking/v1 defaults.go)', () => {
  it('isolates ingress only when policyTypes is absent and there are no egress rules', () => {
    const policy = read({ podSelector: {}, ingress: [{}] });
    expect(policy.isolates).toEqual({ ingress: true, egress: false });
    expect(policy.policyTypesWritten).toBe(false);
  });

  it('adds Egress when policyTypes is absent and egress rules exist', () => {
    expect(read({ podSelector: {}, egress: [{}] }).isolates).toEqual({ ingress: true, egress: true });
  });

  it('does not isolate egress for `egress: []` alone, and records that it was written so', () => {
    const policy = read({ podSelector: {}, egress: [] });
    expect(policy.isolates).toEqual({ ingress: true, egress: false });
    expect(policy.egressWrittenEmpty).toBe(true);
    expect(read({ podSelector: {} }).egressWrittenEmpty).toBe(false);
    expect(read({ podSelector: {}, egress: [{}] }).egressWrittenEmpty).toBe(false);
  });

  it('takes written policyTypes as they are, whatever rules exist', () => {
    const egressOnly = read({ podSelector: {}, policyTypes: ['Egress'], ingress: [{}] });
    expect(egressOnly.isolates).toEqual({ ingress: false, egress: true });
    expect(egressOnly.policyTypesWritten).toBe(true);
    const both = read({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(both.isolates).toEqual({ ingress: true, egress: true });
    expect(both.policyTypesWritten).toBe(true);
  });

  it('reads `policyTypes: []` as absent, as the API server defaults it', () => {
    const policy = read({ podSelector: {}, policyTypes: [], egress: [{}] });
    expect(policy.isolates).toEqual({ ingress: true, egress: true });
    expect(policy.policyTypesWritten).toBe(false);
  });
});

describe('readNetworkPolicy: peers', () => {
  it('reads each kind of peer with only the selectors it names', () => {
    const policy = read({
      podSelector: {},
      ingress: [
        {
          from: [
            { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } },
            { podSelector: { matchLabels: { app: 'front' } } },
            { namespaceSelector: {} },
            { namespaceSelector: {}, podSelector: {} },
          ],
        },
      ],
    });
    // toStrictEqual: a peer without a podSelector must not carry one that selects everything.
    expect(policy.rules.ingress[0]?.peers).toStrictEqual([
      { path: ['spec', 'ingress', 0, 'from', 0], ipBlock: { cidr: '10.0.0.0/8', parsedCidr: parseCidr('10.0.0.0/8'), except: ['10.1.0.0/16'] } },
      { path: ['spec', 'ingress', 0, 'from', 1], podSelector: { requirements: [{ key: 'app', operator: 'In', values: ['front'] }] } },
      { path: ['spec', 'ingress', 0, 'from', 2], namespaceSelector: { requirements: [] } },
      { path: ['spec', 'ingress', 0, 'from', 3], podSelector: { requirements: [] }, namespaceSelector: { requirements: [] } },
    ]);
  });

  it('reads an ipBlock cidr of the wrong type as its JSON text, and a missing one as "", so that neither parses', () => {
    const policy = read({ podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: 10 } }, { ipBlock: {} }, { ipBlock: { cidr: '10.0.0.0/8', except: [10, '10.1.0.0/16'] } }] }] });
    expect(policy.rules.egress[0]?.peers.map((peer) => peer.ipBlock)).toEqual([
      { cidr: '10', parsedCidr: { ok: false, reason: INVALID_CIDR_REASON }, except: [] },
      { cidr: '""', parsedCidr: { ok: false, reason: INVALID_CIDR_REASON }, except: [] },
      { cidr: '10.0.0.0/8', parsedCidr: parseCidr('10.0.0.0/8'), except: ['10', '10.1.0.0/16'] },
    ]);
  });

  it('reads a rule without `from` or `to` as a rule without peers, which admits everything', () => {
    const policy = read({ podSelector: {}, ingress: [{ ports: [{ port: 80 }] }], egress: [{ to: [] }] });
    expect(policy.rules.ingress[0]?.peers).toEqual([]);
    expect(policy.rules.egress[0]?.peers).toEqual([]);
  });
});

describe('readNetworkPolicy: ports', () => {
  it('defaults protocol to TCP and keeps only a numeric or named port and a numeric endPort', () => {
    const policy = read({
      podSelector: {},
      egress: [
        {
          ports: [
            { port: 53, protocol: 'UDP' },
            { port: 'dns-tcp' },
            { port: 32000, endPort: 32768 },
            { protocol: 'SCTP' },
            { port: true, endPort: '32768' },
          ],
        },
      ],
    });
    // toStrictEqual: an absent port means every port, so `port: undefined` must not appear as a key.
    expect(policy.rules.egress[0]?.ports).toStrictEqual([
      { path: ['spec', 'egress', 0, 'ports', 0], protocol: 'UDP', port: 53 },
      { path: ['spec', 'egress', 0, 'ports', 1], protocol: 'TCP', port: 'dns-tcp' },
      { path: ['spec', 'egress', 0, 'ports', 2], protocol: 'TCP', port: 32000, endPort: 32768 },
      { path: ['spec', 'egress', 0, 'ports', 3], protocol: 'SCTP' },
      { path: ['spec', 'egress', 0, 'ports', 4], protocol: 'TCP' },
    ]);
  });

  it('reads a rule without ports as every port', () => {
    const policy = read({ podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }, { ports: [] }] });
    expect(policy.rules.ingress.map((rule) => rule.ports)).toEqual([[], []]);
  });

  it('numbers rules and their parts in each direction separately', () => {
    const policy = read({ podSelector: {}, ingress: [{}, { ports: [{ port: 80 }] }], egress: [{ ports: [{ port: 53 }] }] });
    expect(policy.rules.ingress.map((rule) => [rule.index, rule.direction, rule.path, rule.ports.map((port) => port.path)])).toEqual([
      [0, 'ingress', ['spec', 'ingress', 0], []],
      [1, 'ingress', ['spec', 'ingress', 1], [['spec', 'ingress', 1, 'ports', 0]]],
    ]);
    expect(policy.rules.egress.map((rule) => [rule.index, rule.direction, rule.path, rule.ports.map((port) => port.path)])).toEqual([
      [0, 'egress', ['spec', 'egress', 0], [['spec', 'egress', 0, 'ports', 0]]],
    ]);
  });
});
