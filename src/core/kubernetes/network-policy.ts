/**
 * A NetworkPolicy read with the API server's defaulting applied
 * (k8s.io/kubernetes pkg/apis/networking/v1/defaults.go): policyTypes defaults to
 * [Ingress], plus Egress when egress rules exist; a port's protocol defaults to TCP; an
 * absent podSelector selects every pod. `[]` and absent lists are the same, as are all
 * spellings of the empty selector. Raw manifests and admitted objects therefore read alike.
 */
import { MATCH_EVERYTHING, readLabelSelector, type LabelSelector } from './label-selector.js';
import { parseCidr, type CidrParseResult } from '../net/cidr.js';
import { arrayOf, field, recordOf, stringOf, type FieldPath, type JsonRecord } from './shape.js';

export const DIRECTIONS = ['ingress', 'egress'] as const;

export type Direction = (typeof DIRECTIONS)[number];

/** The list of peers a rule of this direction holds, and the type name in policyTypes. */
export const DIRECTION_FIELDS: Readonly<Record<Direction, { peers: 'from' | 'to'; policyType: 'Ingress' | 'Egress' }>> = {
  ingress: { peers: 'from', policyType: 'Ingress' },
  egress: { peers: 'to', policyType: 'Egress' },
};

interface IpBlockPeer {
  readonly cidr: string;
  /** `cidr` parsed once, here: several rules read it, and a policy may carry 50,000. */
  readonly parsedCidr: CidrParseResult;
  readonly except: readonly string[];
}

export interface PolicyPeer {
  readonly path: FieldPath;
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: IpBlockPeer;
}

export interface PolicyPort {
  readonly path: FieldPath;
  readonly protocol: string;
  /** A number, a named port, or absent for every port of the protocol. */
  readonly port?: number | string;
  readonly endPort?: number;
}

export interface PolicyRule {
  readonly index: number;
  readonly direction: Direction;
  readonly path: FieldPath;
  /** Empty means every source (ingress) or destination (egress). */
  readonly peers: readonly PolicyPeer[];
  /** Empty means every port of every protocol. */
  readonly ports: readonly PolicyPort[];
}

export interface NetworkPolicyModel {
  readonly name: string;
  readonly namespace: string;
  readonly podSelector: LabelSelector;
  /** Effective (defaulted) policyTypes. */
  readonly isolates: Readonly<Record<Direction, boolean>>;
  readonly policyTypesWritten: boolean;
  readonly rules: Readonly<Record<Direction, readonly PolicyRule[]>>;
  /** True when the manifest spells out `egress: []`, which alone does not isolate egress. */
  readonly egressWrittenEmpty: boolean;
}

function readIpBlock(raw: unknown): IpBlockPeer {
  const record = recordOf(raw);
  const except = (arrayOf(field(record, 'except')) ?? []).map((entry) => (typeof entry === 'string' ? entry : String(entry)));
  const cidrValue = field(record, 'cidr');
  const cidr = typeof cidrValue === 'string' ? cidrValue : JSON.stringify(cidrValue ?? '');
  return { cidr, parsedCidr: parseCidr(cidr), except };
}

// Built field by field rather than with conditional spreads: this runs on every review.
function readPeer(raw: unknown, path: FieldPath): PolicyPeer {
  const record = recordOf(raw);
  const podSelector = field(record, 'podSelector');
  const namespaceSelector = field(record, 'namespaceSelector');
  const ipBlock = field(record, 'ipBlock');
  const peer: { -readonly [K in keyof PolicyPeer]: PolicyPeer[K] } = { path };
  if (podSelector != null) peer.podSelector = readLabelSelector(podSelector);
  if (namespaceSelector != null) peer.namespaceSelector = readLabelSelector(namespaceSelector);
  if (ipBlock != null) peer.ipBlock = readIpBlock(ipBlock);
  return peer;
}

function readPort(raw: unknown, path: FieldPath): PolicyPort {
  const record = recordOf(raw);
  const port = field(record, 'port');
  const endPort = field(record, 'endPort');
  const result: { -readonly [K in keyof PolicyPort]: PolicyPort[K] } = { path, protocol: stringOf(field(record, 'protocol')) ?? 'TCP' };
  if (typeof port === 'number' || typeof port === 'string') result.port = port;
  if (typeof endPort === 'number') result.endPort = endPort;
  return result;
}

function readRules(spec: JsonRecord | undefined, direction: Direction): PolicyRule[] {
  const peersKey = DIRECTION_FIELDS[direction].peers;
  return (arrayOf(field(spec, direction)) ?? []).map((raw, index) => {
    const path = ['spec', direction, index];
    const rule = recordOf(raw);
    return {
      index,
      direction,
      path,
      peers: (arrayOf(field(rule, peersKey)) ?? []).map((peer, i) => readPeer(peer, [...path, peersKey, i])),
      ports: (arrayOf(field(rule, 'ports')) ?? []).map((port, i) => readPort(port, [...path, 'ports', i])),
    };
  });
}

function effectivePolicyTypes(written: readonly unknown[], egressRules: number): Record<Direction, boolean> {
  if (written.length === 0) return { ingress: true, egress: egressRules > 0 };
  return { ingress: written.includes('Ingress'), egress: written.includes('Egress') };
}

/**
 * Models already read, by object, for a caller that reads the same objects twice: `check`
 * reads each NetworkPolicy for the view and again as the object under review, and the view
 * then holds the very model under review (which keeps the per-list work of the joint
 * judgement shared). Not for the webhook: keying every review's object would keep it past
 * the young generation. Objects are never changed once read.
 */
export type ModelCache = WeakMap<JsonRecord, { readonly defaultNamespace: string; readonly model: NetworkPolicyModel }>;

export function readNetworkPolicy(object: JsonRecord, defaultNamespace: string, cache?: ModelCache): NetworkPolicyModel {
  if (cache === undefined) return readModel(object, defaultNamespace);
  const known = cache.get(object);
  if (known !== undefined && known.defaultNamespace === defaultNamespace) return known.model;
  const model = readModel(object, defaultNamespace);
  cache.set(object, { defaultNamespace, model });
  return model;
}

function readModel(object: JsonRecord, defaultNamespace: string): NetworkPolicyModel {
  const metadata = recordOf(field(object, 'metadata'));
  const spec = recordOf(field(object, 'spec'));
  const written = arrayOf(field(spec, 'policyTypes')) ?? [];
  const rules = { ingress: readRules(spec, 'ingress'), egress: readRules(spec, 'egress') };
  const podSelector = field(spec, 'podSelector');
  const egress = field(spec, 'egress');
  return {
    name: stringOf(field(metadata, 'name')) ?? '',
    namespace: stringOf(field(metadata, 'namespace')) ?? defaultNamespace,
    podSelector: podSelector == null ? MATCH_EVERYTHING : readLabelSelector(podSelector),
    isolates: effectivePolicyTypes(written, rules.egress.length),
    policyTypesWritten: written.length > 0,
    rules,
    egressWrittenEmpty: Array.isArray(egress) && egress.length === 0,
  };
}
