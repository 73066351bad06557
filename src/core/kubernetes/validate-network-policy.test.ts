import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INVALID_CIDR_REASON } from '../net/cidr.js';
import { forbidden, invalid, required, unsupported, type FieldError } from './field-errors.js';
import { portNameErrors } from './names.js';
import type { FieldPath } from './shape.js';
import { validateIpBlock, validateNetworkPolicySpec, validatePeer, validatePolicyPort } from './validate-network-policy.js';

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const RANGE = 'must be between 1 and 65535, inclusive';
const LABEL_RULE =
  "a valid label must be an empty string or must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const NOT_SUBSET = 'must be a strict subset of `cidr`';

/**
 * A reference model of ValidateNetworkPolicyPort (k8s.io/kubernetes
 * pkg/apis/networking/validation), laid out as the Go code is and with no fast path, plus
 * the decoding errors for values of the wrong JSON type.
 */
const inRange = (n: number): boolean => Number.isInteger(n) && n >= 1 && n <= 65535;

function modelNumericPortErrors(port: number, endPort: unknown, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  if (!inRange(port)) errors.push(invalid([...path, 'port'], port, RANGE));
  if (endPort === undefined || endPort === null) return errors;
  if (typeof endPort !== 'number') return [...errors, invalid([...path, 'endPort'], endPort, 'must be an integer')];
  if (endPort < port) errors.push(invalid([...path, 'endPort'], endPort, 'must be greater than or equal to `port`'));
  if (!inRange(endPort)) errors.push(invalid([...path, 'endPort'], endPort, RANGE));
  return errors;
}

function modelPortValueErrors(port: unknown, endPort: unknown, path: FieldPath): FieldError[] {
  const hasEndPort = endPort !== undefined && endPort !== null;
  if (port === undefined || port === null) {
    return hasEndPort ? [invalid([...path, 'endPort'], endPort, 'may not be specified when `port` is not specified')] : [];
  }
  if (typeof port === 'number') return modelNumericPortErrors(port, endPort, path);
  if (typeof port !== 'string') return [invalid([...path, 'port'], port, 'must be an integer or a port name')];
  const errors = hasEndPort ? [invalid([...path, 'endPort'], endPort, 'may not be specified when `port` is non-numeric')] : [];
  return [...errors, ...portNameErrors(port).map((message) => invalid([...path, 'port'], port, message))];
}

function modelPortErrors(raw: unknown, path: FieldPath): FieldError[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return [invalid(path, raw, 'must be an object')];
  const { protocol, port, endPort } = raw as { protocol?: unknown; port?: unknown; endPort?: unknown };
  const protocolErrors = protocol !== undefined && protocol !== null && !PROTOCOLS.includes(protocol as string) ? [unsupported([...path, 'protocol'], protocol, PROTOCOLS)] : [];
  return [...protocolErrors, ...modelPortValueErrors(port, endPort, path)];
}

const portValue = fc.oneof(
  fc.integer({ min: -2, max: 70_000 }),
  fc.constantFrom(0, 1, 80, 443, 65_535, 65_536, 1.5, Number.NaN),
  fc.constantFrom('http', 'dns-tcp', 'HTTP', 'a--b', '8080', '-x', '', 'x'.repeat(16)),
  fc.constantFrom(null, undefined, true, {}, [80]),
);
const policyPort = fc.oneof(
  fc.constantFrom(null, undefined, 'TCP', 443, []),
  fc.record(
    {
      protocol: fc.constantFrom('TCP', 'UDP', 'SCTP', 'tcp', 'ICMP', '', null, undefined, 6),
      port: portValue,
      endPort: portValue,
    },
    { requiredKeys: [] },
  ),
);

describe('validatePolicyPort', () => {
  it('answers as the reference model does, whether or not the fast path is taken', () => {
    fc.assert(
      fc.property(policyPort, (raw) => {
        expect(validatePolicyPort(raw, ['spec', 'ingress', 0, 'ports', 1])).toEqual(modelPortErrors(raw, ['spec', 'ingress', 0, 'ports', 1]));
      }),
      { numRuns: 5000 },
    );
  });

  it.each([{}, { port: 443 }, { protocol: 'TCP', port: 443 }, { protocol: 'UDP', port: 53 }, { protocol: 'SCTP', port: 1 }, { protocol: null, port: 65_535 }, { protocol: 'UDP' }])(
    'accepts %j',
    (raw) => {
      expect(validatePolicyPort(raw, ['p'])).toEqual([]);
    },
  );

  it.each<[unknown, FieldError[]]>([
    ['TCP', [invalid(['p'], 'TCP', 'must be an object')]],
    [null, [invalid(['p'], null, 'must be an object')]],
    [[443], [invalid(['p'], [443], 'must be an object')]],
    [{ protocol: 'tcp', port: 80 }, [unsupported(['p', 'protocol'], 'tcp', PROTOCOLS)]],
    [{ protocol: 'ICMP' }, [unsupported(['p', 'protocol'], 'ICMP', PROTOCOLS)]],
    [{ port: 0 }, [invalid(['p', 'port'], 0, RANGE)]],
    [{ port: 65_536 }, [invalid(['p', 'port'], 65_536, RANGE)]],
    [{ port: 8.5 }, [invalid(['p', 'port'], 8.5, RANGE)]],
    [{ port: true }, [invalid(['p', 'port'], true, 'must be an integer or a port name')]],
    [{ port: {}, endPort: 5 }, [invalid(['p', 'port'], {}, 'must be an integer or a port name')]],
  ])('rejects %j', (raw, errors) => {
    expect(validatePolicyPort(raw, ['p'])).toEqual(errors);
  });

  it('accepts a port range whose endPort is at least port', () => {
    expect(validatePolicyPort({ port: 8000, endPort: 9000 }, ['p'])).toEqual([]);
    expect(validatePolicyPort({ port: 8000, endPort: 8000 }, ['p'])).toEqual([]);
    expect(validatePolicyPort({ port: 8000, endPort: null }, ['p'])).toEqual([]);
    expect(validatePolicyPort({ protocol: 'TCP', port: 1, endPort: 65_535 }, ['p'])).toEqual([]);
  });

  it('rejects an endPort below port, out of range or not a number', () => {
    expect(validatePolicyPort({ port: 8000, endPort: 7999 }, ['p'])).toEqual([invalid(['p', 'endPort'], 7999, 'must be greater than or equal to `port`')]);
    expect(validatePolicyPort({ port: 8000, endPort: 70_000 }, ['p'])).toEqual([invalid(['p', 'endPort'], 70_000, RANGE)]);
    expect(validatePolicyPort({ port: 8000, endPort: '9000' }, ['p'])).toEqual([invalid(['p', 'endPort'], '9000', 'must be an integer')]);
    expect(validatePolicyPort({ port: 0, endPort: -1 }, ['p'])).toEqual([
      invalid(['p', 'port'], 0, RANGE),
      invalid(['p', 'endPort'], -1, 'must be greater than or equal to `port`'),
      invalid(['p', 'endPort'], -1, RANGE),
    ]);
  });

  it('checks a named port against IANA_SVC_NAME and forbids an endPort with it', () => {
    expect(validatePolicyPort({ port: 'http' }, ['p'])).toEqual([]);
    expect(validatePolicyPort({ port: 'http', endPort: null }, ['p'])).toEqual([]);
    expect(validatePolicyPort({ port: 'http', endPort: 90 }, ['p'])).toEqual([invalid(['p', 'endPort'], 90, 'may not be specified when `port` is non-numeric')]);
    expect(validatePolicyPort({ port: 'Http' }, ['p'])).toEqual([
      invalid(['p', 'port'], 'Http', 'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'),
    ]);
    expect(validatePolicyPort({ protocol: 'tcp', port: 'a--', endPort: 1 }, ['p'])).toEqual([
      unsupported(['p', 'protocol'], 'tcp', PROTOCOLS),
      invalid(['p', 'endPort'], 1, 'may not be specified when `port` is non-numeric'),
      invalid(['p', 'port'], 'a--', 'must not contain consecutive hyphens'),
      invalid(['p', 'port'], 'a--', 'must not begin or end with a hyphen'),
    ]);
  });

  it('forbids an endPort without a port', () => {
    expect(validatePolicyPort({ endPort: 90 }, ['p'])).toEqual([invalid(['p', 'endPort'], 90, 'may not be specified when `port` is not specified')]);
    expect(validatePolicyPort({ port: null, endPort: 90 }, ['p'])).toEqual([invalid(['p', 'endPort'], 90, 'may not be specified when `port` is not specified')]);
  });
});

describe('validateIpBlock', () => {
  it.each([
    { cidr: '10.0.0.0/8' },
    // ParseCIDRSloppy: host bits and leading zeros are accepted.
    { cidr: '10.1.2.3/8' },
    { cidr: '010.0.0.0/8' },
    { cidr: '10.0.0.0/8', except: null },
    { cidr: '10.0.0.0/8', except: [] },
    { cidr: '10.0.0.0/8', except: ['10.1.0.0/16', '10.2.3.4/32', '010.3.0.0/16'] },
    { cidr: '2001:db8::/32', except: ['2001:db8:1::/48'] },
    { cidr: '0.0.0.0/0', except: ['::ffff:10.0.0.0/104'] },
  ])('accepts %j', (raw) => {
    expect(validateIpBlock(raw, ['b'])).toEqual([]);
  });

  it.each<[unknown, FieldError[]]>([
    ['10.0.0.0/8', [invalid(['b'], '10.0.0.0/8', 'must be an object')]],
    [null, [invalid(['b'], null, 'must be an object')]],
    [{}, [required(['b', 'cidr'], '')]],
    [{ cidr: null }, [required(['b', 'cidr'], '')]],
    [{ cidr: '' }, [required(['b', 'cidr'], '')]],
    [{ cidr: 10 }, [invalid(['b', 'cidr'], 10, INVALID_CIDR_REASON)]],
    [{ cidr: '10.0.0.0' }, [invalid(['b', 'cidr'], '10.0.0.0', INVALID_CIDR_REASON)]],
    // The except list is not looked at while the cidr itself is invalid.
    [{ cidr: '10.0.0.0/33', except: ['nonsense', 'x'] }, [invalid(['b', 'cidr'], '10.0.0.0/33', INVALID_CIDR_REASON)]],
    [{ cidr: 10, except: 'x' }, [invalid(['b', 'cidr'], 10, INVALID_CIDR_REASON)]],
    [{ cidr: '10.0.0.0/8', except: '10.1.0.0/16' }, [invalid(['b', 'except'], '10.1.0.0/16', 'must be a list')]],
  ])('rejects %j', (raw, errors) => {
    expect(validateIpBlock(raw, ['b'])).toEqual(errors);
  });

  it('requires each except entry to be a valid CIDR strictly inside the cidr', () => {
    const except = ['10.1.0.0/16', '11.0.0.0/16', '10.0.0.0/8', 'bad', 7, '010.2.0.0/16', '0.0.0.0/0', null, '2001:db8::/64'];
    expect(validateIpBlock({ cidr: '10.0.0.0/8', except }, ['b'])).toEqual([
      invalid(['b', 'except', 1], '11.0.0.0/16', NOT_SUBSET),
      invalid(['b', 'except', 2], '10.0.0.0/8', NOT_SUBSET),
      invalid(['b', 'except', 3], 'bad', INVALID_CIDR_REASON),
      invalid(['b', 'except', 4], 7, INVALID_CIDR_REASON),
      invalid(['b', 'except', 6], '0.0.0.0/0', NOT_SUBSET),
      invalid(['b', 'except', 7], null, INVALID_CIDR_REASON),
      invalid(['b', 'except', 8], '2001:db8::/64', NOT_SUBSET),
    ]);
  });

  it('compares the prefixes as written for an IPv4-mapped cidr', () => {
    expect(validateIpBlock({ cidr: '::ffff:0.0.0.0/96', except: ['10.0.0.0/8'] }, ['b'])).toEqual([invalid(['b', 'except', 0], '10.0.0.0/8', NOT_SUBSET)]);
  });
});

describe('validatePeer', () => {
  const block = { cidr: '10.0.0.0/8' };

  it.each([{ podSelector: {} }, { namespaceSelector: {} }, { podSelector: { matchLabels: { app: 'web' } }, namespaceSelector: {} }, { ipBlock: block }, { ipBlock: block, podSelector: null }])(
    'accepts %j',
    (raw) => {
      expect(validatePeer(raw, ['q'])).toEqual([]);
    },
  );

  it.each<[unknown, FieldError[]]>([
    ['x', [invalid(['q'], 'x', 'must be an object')]],
    [[], [invalid(['q'], [], 'must be an object')]],
    [{}, [required(['q'], 'must specify a peer')]],
    [{ podSelector: null, namespaceSelector: null, ipBlock: null }, [required(['q'], 'must specify a peer')]],
    [{ podSelector: {}, ipBlock: block }, [forbidden(['q'], 'may not specify both ipBlock and another peer')]],
    [{ namespaceSelector: {}, ipBlock: block }, [forbidden(['q'], 'may not specify both ipBlock and another peer')]],
    [{ podSelector: {}, namespaceSelector: {}, ipBlock: block }, [forbidden(['q'], 'may not specify both ipBlock and another peer')]],
    [{ podSelector: 'x' }, [invalid(['q', 'podSelector'], 'x', 'must be a label selector object')]],
    [{ namespaceSelector: { matchLabels: { app: '-x' } } }, [invalid(['q', 'namespaceSelector', 'matchLabels', 'app'], '-x', LABEL_RULE)]],
    [{ ipBlock: {} }, [required(['q', 'ipBlock', 'cidr'], '')]],
    [
      { ipBlock: {}, podSelector: 'x', namespaceSelector: 7 },
      [
        invalid(['q', 'podSelector'], 'x', 'must be a label selector object'),
        invalid(['q', 'namespaceSelector'], 7, 'must be a label selector object'),
        required(['q', 'ipBlock', 'cidr'], ''),
        forbidden(['q'], 'may not specify both ipBlock and another peer'),
      ],
    ],
  ])('rejects %j', (raw, errors) => {
    expect(validatePeer(raw, ['q'])).toEqual(errors);
  });
});

describe('validateNetworkPolicySpec', () => {
  it.each([
    {},
    { spec: null },
    { spec: {} },
    { spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } },
    { spec: { policyTypes: ['Egress'] } },
    { spec: { policyTypes: [] } },
    { spec: { policyTypes: null, ingress: null, egress: [] } },
    // The API server does not reject a repeated policy type.
    { spec: { policyTypes: ['Ingress', 'Ingress'] } },
    { spec: { ingress: [{}], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }], ports: [{ port: 53, protocol: 'UDP' }] }] } },
    // Each direction reads only its own peer list: `to` in an ingress rule is an unknown field.
    { spec: { ingress: [{ to: [{}] }], egress: [{ from: [{}] }] } },
  ])('accepts %j', (object) => {
    expect(validateNetworkPolicySpec(object)).toEqual([]);
  });

  it.each<[Record<string, unknown>, FieldError[]]>([
    [{ spec: 'x' }, [invalid(['spec'], 'x', 'must be an object')]],
    [{ spec: [] }, [invalid(['spec'], [], 'must be an object')]],
    [{ spec: { podSelector: 'x' } }, [invalid(['spec', 'podSelector'], 'x', 'must be a label selector object')]],
    [{ spec: { ingress: 'x' } }, [invalid(['spec', 'ingress'], 'x', 'must be a list')]],
    [{ spec: { egress: {} } }, [invalid(['spec', 'egress'], {}, 'must be a list')]],
    [{ spec: { egress: [5] } }, [invalid(['spec', 'egress', 0], 5, 'must be an object')]],
    [
      { spec: { ingress: [{ from: 'x', ports: 'y' }] } },
      [invalid(['spec', 'ingress', 0, 'ports'], 'y', 'must be a list'), invalid(['spec', 'ingress', 0, 'from'], 'x', 'must be a list')],
    ],
    [{ spec: { egress: [{ to: {} }] } }, [invalid(['spec', 'egress', 0, 'to'], {}, 'must be a list')]],
    [{ spec: { policyTypes: 'Ingress' } }, [invalid(['spec', 'policyTypes'], 'Ingress', 'must be a list')]],
    [{ spec: { policyTypes: ['ingress'] } }, [unsupported(['spec', 'policyTypes', 0], 'ingress', ['Ingress', 'Egress'])]],
    [{ spec: { policyTypes: ['Ingress', 7] } }, [unsupported(['spec', 'policyTypes', 1], 7, ['Ingress', 'Egress'])]],
    [
      { spec: { policyTypes: ['Ingress', 'Egress', 'Ingress'] } },
      [invalid(['spec', 'policyTypes'], ['Ingress', 'Egress', 'Ingress'], 'may not specify more than two policyTypes')],
    ],
    [
      { spec: { policyTypes: ['Ingress', 'Egress', 'Other'] } },
      [invalid(['spec', 'policyTypes'], ['Ingress', 'Egress', 'Other'], 'may not specify more than two policyTypes')],
    ],
  ])('rejects %j', (object, errors) => {
    expect(validateNetworkPolicySpec(object)).toEqual(errors);
  });

  it('reports the podSelector, then ingress and egress rule by rule (ports before peers), then policyTypes', () => {
    const object = {
      spec: {
        policyTypes: ['Sideways'],
        egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['0.0.0.0/0'] } }] }],
        ingress: [{}, { from: [{}], ports: [{ port: 0 }] }],
        podSelector: { matchExpressions: [{ key: 'app', operator: 'Exists', values: ['x'] }] },
      },
    };
    expect(validateNetworkPolicySpec(object)).toEqual([
      forbidden(['spec', 'podSelector', 'matchExpressions', 0, 'values'], "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"),
      invalid(['spec', 'ingress', 1, 'ports', 0, 'port'], 0, RANGE),
      required(['spec', 'ingress', 1, 'from', 0], 'must specify a peer'),
      invalid(['spec', 'egress', 0, 'to', 0, 'ipBlock', 'except', 0], '0.0.0.0/0', NOT_SUBSET),
      unsupported(['spec', 'policyTypes', 0], 'Sideways', ['Ingress', 'Egress']),
    ]);
  });
});
