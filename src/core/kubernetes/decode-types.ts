/**
 * What the API server's decoding does with a wrong type: JSON into the Go structs of
 * k8s.io/api, where a string given for a bool, a bool given for a label value or a
 * fraction given for an int32 fails the request before any validation runs, with
 * encoding/json's message. The schema covers the fields the rules read (metadata, the
 * NetworkPolicy spec, pod templates' network fields and containers' ports, workload
 * selectors and templates); fields outside it are not checked. Pure.
 */
import type { FieldPath, JsonRecord } from './shape.js';

type Scalar = 'string' | 'bool' | 'int32' | 'int64' | 'intOrString';

interface StructType {
  readonly struct: string;
  readonly fields: Readonly<Record<string, GoType>>;
}

type GoType = Scalar | StructType | { readonly list: GoType } | { readonly map: GoType };

const list = (item: GoType): GoType => ({ list: item });
const map = (value: GoType): GoType => ({ map: value });

const OBJECT_META: StructType = {
  struct: 'ObjectMeta',
  fields: { name: 'string', generateName: 'string', namespace: 'string', labels: map('string'), annotations: map('string') },
};

const LABEL_SELECTOR: StructType = {
  struct: 'LabelSelector',
  fields: {
    matchLabels: map('string'),
    matchExpressions: list({ struct: 'LabelSelectorRequirement', fields: { key: 'string', operator: 'string', values: list('string') } }),
  },
};

const PEER: StructType = {
  struct: 'NetworkPolicyPeer',
  fields: {
    podSelector: LABEL_SELECTOR,
    namespaceSelector: LABEL_SELECTOR,
    ipBlock: { struct: 'IPBlock', fields: { cidr: 'string', except: list('string') } },
  },
};

const POLICY_PORT: StructType = { struct: 'NetworkPolicyPort', fields: { protocol: 'string', port: 'intOrString', endPort: 'int32' } };

const NETWORK_POLICY_SPEC: StructType = {
  struct: 'NetworkPolicySpec',
  fields: {
    podSelector: LABEL_SELECTOR,
    policyTypes: list('string'),
    ingress: list({ struct: 'NetworkPolicyIngressRule', fields: { from: list(PEER), ports: list(POLICY_PORT) } }),
    egress: list({ struct: 'NetworkPolicyEgressRule', fields: { to: list(PEER), ports: list(POLICY_PORT) } }),
  },
};

const CONTAINER: StructType = {
  struct: 'Container',
  fields: {
    name: 'string',
    image: 'string',
    ports: list({ struct: 'ContainerPort', fields: { name: 'string', hostPort: 'int32', containerPort: 'int32', protocol: 'string', hostIP: 'string' } }),
  },
};

const POD_SPEC: StructType = {
  struct: 'PodSpec',
  fields: { hostNetwork: 'bool', hostPID: 'bool', hostIPC: 'bool', containers: list(CONTAINER), initContainers: list(CONTAINER) },
};

const POD_TEMPLATE_SPEC: StructType = { struct: 'PodTemplateSpec', fields: { metadata: OBJECT_META, spec: POD_SPEC } };

function workloadSpec(struct: string, extra: Readonly<Record<string, GoType>> = {}): StructType {
  return { struct, fields: { replicas: 'int32', selector: LABEL_SELECTOR, template: POD_TEMPLATE_SPEC, ...extra } };
}

const JOB_SPEC = workloadSpec('JobSpec', { parallelism: 'int32', completions: 'int32', backoffLimit: 'int32' });

function object(kind: string, spec: StructType | undefined, extra: Readonly<Record<string, GoType>> = {}): StructType {
  return { struct: kind, fields: { metadata: OBJECT_META, ...(spec === undefined ? {} : { spec }), ...extra } };
}

/** The Go type of each judged kind, by kind. */
const KIND_TYPES: ReadonlyMap<string, StructType> = new Map([
  ['NetworkPolicy', object('NetworkPolicy', NETWORK_POLICY_SPEC)],
  ['Namespace', object('Namespace', { struct: 'NamespaceSpec', fields: { finalizers: list('string') } })],
  ['Pod', object('Pod', POD_SPEC)],
  ['PodTemplate', object('PodTemplate', undefined, { template: POD_TEMPLATE_SPEC })],
  ['ReplicationController', object('ReplicationController', { struct: 'ReplicationControllerSpec', fields: { replicas: 'int32', selector: map('string'), template: POD_TEMPLATE_SPEC } })],
  ['Deployment', object('Deployment', workloadSpec('DeploymentSpec'))],
  ['StatefulSet', object('StatefulSet', workloadSpec('StatefulSetSpec', { serviceName: 'string' }))],
  ['DaemonSet', object('DaemonSet', workloadSpec('DaemonSetSpec'))],
  ['ReplicaSet', object('ReplicaSet', workloadSpec('ReplicaSetSpec'))],
  ['Job', object('Job', JOB_SPEC)],
  [
    'CronJob',
    object('CronJob', {
      struct: 'CronJobSpec',
      fields: { schedule: 'string', suspend: 'bool', jobTemplate: { struct: 'JobTemplateSpec', fields: { metadata: OBJECT_META, spec: JOB_SPEC } } },
    }),
  ],
]);

export interface DecodeTypeError {
  /** Where, with list indices: ['spec', 'containers', 0, 'ports', 0, 'containerPort']. */
  readonly path: FieldPath;
  readonly value: unknown;
  /** encoding/json's message, as the API server returns it. */
  readonly message: string;
  /** What the field takes, in words: `true or false`, `a whole number`, `a port number or name`. */
  readonly expects: string;
}

function expectsOf(type: GoType): string {
  if (typeof type === 'string') return SCALAR_WORDS[type];
  return 'list' in type ? 'a list' : 'a map';
}

const SCALAR_WORDS: Readonly<Record<Scalar, string>> = {
  string: 'a string',
  bool: 'true or false',
  int32: 'a whole number',
  int64: 'a whole number',
  intOrString: 'a port number or name',
};

/** encoding/json's name for the JSON type of a value: `string`, `number 1.5`, `bool`, `array`, `object`. */
function jsonTypeOf(value: unknown, showNumber: boolean): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return showNumber ? `number ${String(value)}` : 'number';
  if (typeof value === 'boolean') return 'bool';
  return typeof value === 'string' ? 'string' : 'object';
}

const INT_RANGE: Readonly<Record<'int32' | 'int64', readonly [number, number]>> = { int32: [-(2 ** 31), 2 ** 31 - 1], int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] };

function isIntegerIn(value: unknown, [low, high]: readonly [number, number]): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= low && value <= high;
}

const FITS: Readonly<Record<Scalar, (value: unknown) => boolean>> = {
  string: (value) => typeof value === 'string',
  bool: (value) => typeof value === 'boolean',
  int32: (value) => isIntegerIn(value, INT_RANGE.int32),
  int64: (value) => isIntegerIn(value, INT_RANGE.int64),
  intOrString: (value) => typeof value === 'string' || isIntegerIn(value, INT_RANGE.int32),
};

/** Where the check is, as a chain to the root: paths are spelled out only for an error. */
interface Walk {
  /** The Go struct that holds the current field. */
  readonly struct: string;
  readonly parent: Walk | undefined;
  readonly segment: string | number | undefined;
  /** A struct field (named in encoding/json's path), not a map key or a list index. */
  readonly isField: boolean;
  readonly errors: DecodeTypeError[];
}

function step(walk: Walk, segment: string | number, isField: boolean, struct = walk.struct): Walk {
  return { struct, parent: walk, segment, isField, errors: walk.errors };
}

function pathOf(walk: Walk): FieldPath {
  const path: (string | number)[] = [];
  for (let at: Walk | undefined = walk; at?.segment !== undefined; at = at.parent) path.unshift(at.segment);
  return path;
}

/** The dotted path encoding/json names: struct fields only, no list indices or map keys. */
function fieldPathOf(walk: Walk): string {
  const names: string[] = [];
  for (let at: Walk | undefined = walk; at?.segment !== undefined; at = at.parent) if (at.isField) names.unshift(String(at.segment));
  return names.join('.');
}

function scalarError(type: Scalar, value: unknown, walk: Walk): DecodeTypeError {
  // IntOrString decodes a non-string into its int32, and the decoder names the field.
  const goType = type === 'intOrString' ? 'int32' : type;
  const showNumber = goType === 'int32' || goType === 'int64';
  return {
    path: pathOf(walk),
    value,
    message: `json: cannot unmarshal ${jsonTypeOf(value, showNumber)} into Go struct field ${walk.struct}.${fieldPathOf(walk)} of type ${goType}`,
    expects: expectsOf(type),
  };
}

function mismatch(value: unknown, type: GoType, walk: Walk): void {
  const message = `json: cannot unmarshal ${jsonTypeOf(value, false)} into Go struct field ${walk.struct}.${fieldPathOf(walk)} of type ${goTypeName(type)}`;
  walk.errors.push({ path: pathOf(walk), value, message, expects: expectsOf(type) });
}

function goTypeName(type: GoType): string {
  if (typeof type === 'string') return type === 'intOrString' ? 'intstr.IntOrString' : type;
  if ('struct' in type) return `v1.${type.struct}`;
  if ('list' in type) return `[]${goTypeName(type.list)}`;
  return `map[string]${goTypeName(type.map)}`;
}

function checkList(type: GoType, value: unknown, walk: Walk): void {
  if (!Array.isArray(value)) {
    mismatch(value, { list: type }, walk);
    return;
  }
  for (let index = 0; index < value.length; index++) check(type, value[index], step(walk, index, false));
}

const FIELD_LISTS = new WeakMap<StructType, readonly (readonly [string, GoType])[]>();

function fieldsOf(type: StructType): readonly (readonly [string, GoType])[] {
  let fields = FIELD_LISTS.get(type);
  if (fields === undefined) FIELD_LISTS.set(type, (fields = Object.entries(type.fields)));
  return fields;
}

function checkRecord(type: StructType | { readonly map: GoType }, value: unknown, walk: Walk): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    mismatch(value, type, walk);
    return;
  }
  const record = value as JsonRecord;
  if ('map' in type) {
    for (const key in record) if (Object.hasOwn(record, key)) check(type.map, record[key], step(walk, key, false));
    return;
  }
  for (const [name, fieldType] of fieldsOf(type)) {
    if (Object.hasOwn(record, name)) check(fieldType, record[name], step(walk, name, true, type.struct));
  }
}

/** null decodes into anything (the zero value); an absent field is never checked. */
function check(type: GoType, value: unknown, walk: Walk): void {
  if (value === null || value === undefined) return;
  if (typeof type === 'string') {
    if (!FITS[type](value)) walk.errors.push(scalarError(type, value, walk));
  } else if ('list' in type) checkList(type.list, value, walk);
  else checkRecord(type, value, walk);
}

/** The fields whose JSON type the API server could not decode into the kind's Go type, in document order. */
export function decodeTypeErrors(object: JsonRecord, kind: string): DecodeTypeError[] {
  const type = KIND_TYPES.get(kind);
  if (type === undefined) return [];
  const errors: DecodeTypeError[] = [];
  check(type, object, { struct: kind, parent: undefined, segment: undefined, isField: false, errors });
  return errors;
}

/**
 * What kubectl prints for the first decoding error. kubectl decodes the metadata itself
 * (to learn the name and namespace), so a wrong type there fails before any request;
 * the rest fails at the API server.
 */
export function decodeFailureMessage(kind: string, apiVersion: string, error: DecodeTypeError): string {
  if (error.path[0] === 'metadata') return `error: unable to decode: ${error.message}`;
  const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
  return `${kind} in version "${version}" cannot be handled as a ${kind}: ${error.message}`;
}

