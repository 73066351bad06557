/**
 * The API server's validation of a NetworkPolicy spec
 * (k8s.io/kubernetes pkg/apis/networking/validation ValidateNetworkPolicySpec), with its
 * messages, plus the shape errors its JSON decoding would raise. A review that finds one
 * of these knows the apply would fail before any guardrail is consulted.
 */
import { INVALID_CIDR_REASON, isStrictSubsetForApiServer, parseCidr, type Cidr } from '../net/cidr.js';
import { forbidden, invalid, required, unsupported, type FieldError } from './field-errors.js';
import { validateLabelSelector } from './label-selector.js';
import { portNameErrors, portNumberErrors } from './names.js';
import { DIRECTION_FIELDS, DIRECTIONS, type Direction } from './network-policy.js';
import { field, fieldPath, indexPath, isRecord, recordOf, type FieldPath, type JsonRecord } from './shape.js';

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const POLICY_TYPES = ['Ingress', 'Egress'];

function listAt(record: JsonRecord | undefined, key: string, path: FieldPath, errors: FieldError[]): readonly unknown[] {
  const value = field(record, key);
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    errors.push(invalid(fieldPath(path, key), value, 'must be a list'));
    return [];
  }
  return value;
}

function validatePortNumber(value: unknown, path: FieldPath): FieldError[] {
  if (typeof value !== 'number') return [invalid(path, value, 'must be an integer')];
  return portNumberErrors(value).map((message) => invalid(path, value, message));
}

function validateEndPort(port: number, endPort: unknown, path: FieldPath): FieldError[] {
  const errors = validatePortNumber(endPort, path);
  if (typeof endPort === 'number' && endPort < port) errors.unshift(invalid(path, endPort, 'must be greater than or equal to `port`'));
  return errors;
}

function validateNamedOrAbsentPort(port: unknown, endPort: unknown, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  if (typeof port === 'string') {
    if (endPort != null) errors.push(invalid(fieldPath(path, 'endPort'), endPort, 'may not be specified when `port` is non-numeric'));
    errors.push(...portNameErrors(port).map((message) => invalid(fieldPath(path, 'port'), port, message)));
  } else if (port == null && endPort != null) {
    errors.push(invalid(fieldPath(path, 'endPort'), endPort, 'may not be specified when `port` is not specified'));
  } else if (port != null) {
    errors.push(invalid(fieldPath(path, 'port'), port, 'must be an integer or a port name'));
  }
  return errors;
}

/** The usual port, `{protocol: TCP, port: 443}`, known valid without building anything. */
function isPlainValidPort(raw: JsonRecord): boolean {
  const { protocol, port, endPort } = raw as { protocol?: unknown; port?: unknown; endPort?: unknown };
  const protocolOk = protocol == null || PROTOCOLS.includes(protocol as string);
  return protocolOk && endPort == null && typeof port === 'number' && portNumberErrors(port).length === 0;
}

export function validatePolicyPort(raw: unknown, path: FieldPath): FieldError[] {
  if (!isRecord(raw)) return [invalid(path, raw, 'must be an object')];
  if (isPlainValidPort(raw)) return [];
  const errors: FieldError[] = [];
  const protocol = field(raw, 'protocol');
  if (protocol != null && !PROTOCOLS.includes(protocol as string)) errors.push(unsupported(fieldPath(path, 'protocol'), protocol, PROTOCOLS));
  const port = field(raw, 'port');
  const endPort = field(raw, 'endPort');
  if (typeof port === 'number') {
    errors.push(...validatePortNumber(port, fieldPath(path, 'port')));
    if (endPort != null) errors.push(...validateEndPort(port, endPort, fieldPath(path, 'endPort')));
  } else {
    errors.push(...validateNamedOrAbsentPort(port, endPort, path));
  }
  return errors;
}

/** The parsed block, or the API server's error for the field. */
function readCidrField(value: unknown, path: FieldPath, errors: FieldError[]): Cidr | undefined {
  const parsed = typeof value === 'string' ? parseCidr(value) : undefined;
  if (parsed?.ok === true) return parsed.cidr;
  errors.push(invalid(path, value, INVALID_CIDR_REASON));
  return undefined;
}

export function validateIpBlock(raw: unknown, path: FieldPath): FieldError[] {
  const record = recordOf(raw);
  if (record === undefined) return [invalid(path, raw, 'must be an object')];
  const cidrText = field(record, 'cidr');
  const cidrPath = fieldPath(path, 'cidr');
  if (cidrText === undefined || cidrText === null || cidrText === '') return [required(cidrPath, '')];
  const errors: FieldError[] = [];
  const cidr = readCidrField(cidrText, cidrPath, errors);
  if (cidr === undefined) return errors;
  const exceptListPath = fieldPath(path, 'except');
  listAt(record, 'except', path, errors).forEach((exceptText, i) => {
    const exceptPath = indexPath(exceptListPath, i);
    const except = readCidrField(exceptText, exceptPath, errors);
    if (except !== undefined && !isStrictSubsetForApiServer(cidr, except)) {
      errors.push(invalid(exceptPath, exceptText, 'must be a strict subset of `cidr`'));
    }
  });
  return errors;
}

export function validatePeer(raw: unknown, path: FieldPath): FieldError[] {
  if (!isRecord(raw)) return [invalid(path, raw, 'must be an object')];
  const errors: FieldError[] = [];
  const podSelector = field(raw, 'podSelector');
  const namespaceSelector = field(raw, 'namespaceSelector');
  const ipBlock = field(raw, 'ipBlock');
  const present = [podSelector, namespaceSelector, ipBlock].filter((value) => value != null).length;
  errors.push(...validateLabelSelector(podSelector, fieldPath(path, 'podSelector')));
  errors.push(...validateLabelSelector(namespaceSelector, fieldPath(path, 'namespaceSelector')));
  if (ipBlock != null) errors.push(...validateIpBlock(ipBlock, fieldPath(path, 'ipBlock')));
  if (present === 0) errors.push(required(path, 'must specify a peer'));
  else if (present > 1 && ipBlock != null) errors.push(forbidden(path, 'may not specify both ipBlock and another peer'));
  return errors;
}

function validateRules(spec: JsonRecord | undefined, direction: Direction): FieldError[] {
  const errors: FieldError[] = [];
  listAt(spec, direction, ['spec'], errors).forEach((raw, index) => {
    const path = ['spec', direction, index];
    const rule = recordOf(raw);
    if (rule === undefined) {
      errors.push(invalid(path, raw, 'must be an object'));
      return;
    }
    const peersKey = DIRECTION_FIELDS[direction].peers;
    listAt(rule, 'ports', path, errors).forEach((port, i) => errors.push(...validatePolicyPort(port, [...path, 'ports', i])));
    listAt(rule, peersKey, path, errors).forEach((peer, i) => errors.push(...validatePeer(peer, [...path, peersKey, i])));
  });
  return errors;
}

function validatePolicyTypes(spec: JsonRecord | undefined): FieldError[] {
  const errors: FieldError[] = [];
  const types = listAt(spec, 'policyTypes', ['spec'], errors);
  if (types.length > POLICY_TYPES.length) return [invalid(['spec', 'policyTypes'], types, 'may not specify more than two policyTypes')];
  types.forEach((type, i) => {
    if (!POLICY_TYPES.includes(type as string)) errors.push(unsupported(['spec', 'policyTypes', i], type, POLICY_TYPES));
  });
  return errors;
}

export function validateNetworkPolicySpec(object: JsonRecord): FieldError[] {
  const spec = field(object, 'spec');
  if (spec != null && !isRecord(spec)) return [invalid(['spec'], spec, 'must be an object')];
  const record = recordOf(spec);
  return [
    ...validateLabelSelector(field(record, 'podSelector'), ['spec', 'podSelector']),
    ...DIRECTIONS.flatMap((direction) => validateRules(record, direction)),
    ...validatePolicyTypes(record),
  ];
}
