/**
 * AdmissionReviews shaped like the ones kube-apiserver sends (admission.k8s.io/v1):
 * the envelope with resource, requestKind, userInfo and options, and objects as they
 * look after defaulting and mutating admission (policyTypes filled in, Pod defaults,
 * managedFields, the last-applied-configuration annotation of `kubectl apply`).
 */
import { randomUUID } from 'node:crypto';

export type JsonObject = Record<string, unknown>;
export type ReviewOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface Gvk {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

export const NETWORK_POLICY_GVK: Gvk = { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy' };
export const POD_GVK: Gvk = { group: '', version: 'v1', kind: 'Pod' };

export const ALICE = { username: 'alice@example.com', uid: 'b0c3a2f4-6d1e-4c1e-9a59-3f8d1c1e7a11', groups: ['developers', 'system:authenticated'] };

const RESOURCES: Readonly<Record<string, string>> = {
  NetworkPolicy: 'networkpolicies',
  Pod: 'pods',
  Deployment: 'deployments',
  ConfigMap: 'configmaps',
  PodExecOptions: 'pods',
};

const OPTIONS_KIND: Readonly<Record<ReviewOperation, string>> = {
  CREATE: 'CreateOptions',
  UPDATE: 'UpdateOptions',
  DELETE: 'DeleteOptions',
  CONNECT: 'PodExecOptions',
};

export interface ReviewOptions {
  readonly uid?: string;
  readonly operation?: ReviewOperation;
  /** Defaults to the object's (or oldObject's) own group, version and kind. */
  readonly kind?: Gvk;
  readonly subResource?: string;
  /** Defaults to metadata.namespace of the object. */
  readonly namespace?: string;
  readonly name?: string;
  readonly oldObject?: JsonObject | null;
  readonly username?: string;
  readonly groups?: readonly string[];
  readonly dryRun?: boolean;
}

export function gvkOf(object: JsonObject): Gvk {
  const apiVersion = String(object.apiVersion);
  const slash = apiVersion.indexOf('/');
  return {
    group: slash < 0 ? '' : apiVersion.slice(0, slash),
    version: slash < 0 ? apiVersion : apiVersion.slice(slash + 1),
    kind: String(object.kind),
  };
}

function metadataOf(object: JsonObject | null | undefined): JsonObject {
  const metadata = object?.metadata;
  return typeof metadata === 'object' && metadata !== null ? (metadata as JsonObject) : {};
}

function resourceOf(gvk: Gvk): JsonObject {
  return { group: gvk.group, version: gvk.version, resource: RESOURCES[gvk.kind] ?? `${gvk.kind.toLowerCase()}s` };
}

function userInfoOf(options: ReviewOptions): JsonObject {
  return {
    username: options.username ?? ALICE.username,
    uid: ALICE.uid,
    groups: [...(options.groups ?? ALICE.groups)],
    extra: { 'authentication.kubernetes.io/credential-id': ['X509SHA256=6f1a0c'] },
  };
}

function stringField(record: JsonObject, key: string): string {
  const value = record[key];
  return typeof value === 'string' ? value : '';
}

/** Present only when non-empty, as the API server omits an empty subResource. */
function subResourceFields(subResource: string): JsonObject {
  return subResource === '' ? {} : { subResource, requestSubResource: subResource };
}

function optionsOf(operation: ReviewOperation): JsonObject {
  const writes = operation === 'CREATE' || operation === 'UPDATE';
  return { apiVersion: 'meta.k8s.io/v1', kind: OPTIONS_KIND[operation], ...(writes ? { fieldManager: 'kubectl-client-side-apply', fieldValidation: 'Strict' } : {}) };
}

interface Identity {
  readonly gvk: Gvk;
  readonly name: string;
  readonly namespace: string;
}

/** Kind, name and namespace of the request: from the options, else from the object (or oldObject on DELETE). */
function identityOf(object: JsonObject | null, options: ReviewOptions): Identity {
  const described = object ?? options.oldObject ?? null;
  const metadata = metadataOf(described);
  return {
    gvk: options.kind ?? (described === null ? POD_GVK : gvkOf(described)),
    name: options.name ?? stringField(metadata, 'name'),
    namespace: options.namespace ?? stringField(metadata, 'namespace'),
  };
}

/** An AdmissionReview for `object`, as the API server would send it. DELETE sends object null. */
export function admissionReview(object: JsonObject | null, options: ReviewOptions = {}): JsonObject {
  const operation = options.operation ?? 'CREATE';
  const { gvk, name, namespace } = identityOf(object, options);
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: options.uid ?? randomUUID(),
      kind: gvk,
      resource: resourceOf(gvk),
      requestKind: gvk,
      requestResource: resourceOf(gvk),
      ...subResourceFields(options.subResource ?? ''),
      name,
      namespace,
      operation,
      userInfo: userInfoOf(options),
      object,
      oldObject: options.oldObject ?? null,
      dryRun: options.dryRun ?? false,
      options: optionsOf(operation),
    },
  };
}

/** The uid of a review built here. */
export function uidOf(review: JsonObject): string {
  return String((review.request as JsonObject).uid);
}

function serverMetadata(metadata: JsonObject, manager: string, applied: JsonObject): JsonObject {
  const annotations = { ...((metadata.annotations as JsonObject | undefined) ?? {}), 'kubectl.kubernetes.io/last-applied-configuration': `${JSON.stringify(applied)}\n` };
  return {
    ...metadata,
    annotations,
    uid: '9f1b7a52-2a53-4b4e-8f0e-4b7c1d5e2c90',
    generation: 1,
    creationTimestamp: '2026-06-01T11:59:58Z',
    managedFields: [
      {
        manager,
        operation: 'Update',
        apiVersion: String(applied.apiVersion),
        time: '2026-06-01T11:59:58Z',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:metadata': { 'f:annotations': { '.': {}, 'f:kubectl.kubernetes.io/last-applied-configuration': {} } }, 'f:spec': { 'f:podSelector': {}, 'f:policyTypes': {} } },
      },
    ],
  };
}

function withEgressType(spec: JsonObject): string[] {
  return Array.isArray(spec.egress) ? ['Ingress', 'Egress'] : ['Ingress'];
}

/** A NetworkPolicy as kube-apiserver hands it to admission after `kubectl apply`. */
export function defaultedNetworkPolicy(name: string, spec: JsonObject, namespace = 'team-a', labels?: Record<string, string>): JsonObject {
  const applied = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace, ...(labels ? { labels } : {}) }, spec };
  return {
    ...applied,
    metadata: serverMetadata(applied.metadata, 'kubectl-client-side-apply', applied),
    spec: { ...spec, policyTypes: spec.policyTypes ?? withEgressType(spec) },
  };
}

function defaultedContainer(container: JsonObject): JsonObject {
  const ports = Array.isArray(container.ports) ? (container.ports as JsonObject[]).map((port) => ({ protocol: 'TCP', ...port })) : undefined;
  return {
    imagePullPolicy: 'IfNotPresent',
    resources: {},
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    volumeMounts: [{ name: 'kube-api-access-7m2xq', readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }],
    ...container,
    ...(ports === undefined ? {} : { ports }),
  };
}

const SERVICE_ACCOUNT_VOLUME = {
  name: 'kube-api-access-7m2xq',
  projected: {
    defaultMode: 420,
    sources: [
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ],
  },
};

/** A Pod as kube-apiserver hands it to admission: defaulted, service account token mounted. */
export function defaultedPod(name: string, spec: JsonObject, labels?: Record<string, string>, namespace = 'team-a'): JsonObject {
  const applied = { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, ...(labels ? { labels } : {}) }, spec };
  const containers = Array.isArray(spec.containers) ? (spec.containers as JsonObject[]).map(defaultedContainer) : [];
  return {
    ...applied,
    metadata: serverMetadata(applied.metadata, 'kubectl-client-side-apply', applied),
    spec: {
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      serviceAccount: 'default',
      securityContext: {},
      schedulerName: 'default-scheduler',
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
      priority: 0,
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
      volumes: [SERVICE_ACCOUNT_VOLUME],
      ...spec,
      containers,
    },
    status: { phase: 'Pending', qosClass: 'BestEffort' },
  };
}

/** A NetworkPolicy whose ingress admits each of `cidrs` (one peer each, one rule). */
export function ingressFrom(name: string, cidrs: readonly string[], namespace = 'team-a'): JsonObject {
  return defaultedNetworkPolicy(name, { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: 'TCP', port: 443 }] }] }, namespace);
}

/** An isolated NetworkPolicy whose egress reaches the whole internet (netpol-world-egress: warn). */
export function egressToWorld(name: string, rules = 1, namespace = 'team-a'): JsonObject {
  const egress = Array.from({ length: rules }, (_, index) => ({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 1000 + index }] }));
  const dns = { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] };
  return defaultedNetworkPolicy(name, { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [dns, ...egress] }, namespace);
}

/** A labelled Pod with one ordinary container: nothing to report. */
export function plainPod(name = 'web', namespace = 'team-a'): JsonObject {
  return defaultedPod(name, { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80, name: 'http' }] }] }, { app: name }, namespace);
}

/** A labelled Pod on the host network (pod-host-network: deny). */
export function hostNetworkPod(name = 'agent', namespace = 'team-a'): JsonObject {
  return defaultedPod(name, { hostNetwork: true, containers: [{ name: 'agent', image: 'example/agent:2.1', ports: [{ containerPort: 9100, hostPort: 9100 }] }] }, { app: name }, namespace);
}

/** A labelled Pod whose containers each open a hostPort (pod-host-port: warn, one per port). */
export function hostPortPod(name: string, containers: number, namespace = 'team-a'): JsonObject {
  const list = Array.from({ length: containers }, (_, index) => ({ name: `sidecar-with-a-rather-long-descriptive-name-${index}`, image: 'example/sidecar:1', ports: [{ containerPort: 8000 + index, hostPort: 30000 + index }] }));
  return defaultedPod(name, { containers: list }, { app: name }, namespace);
}

/** A default-deny NetworkPolicy for ingress: with it in view, no pod of the namespace is unisolated. */
export function defaultDeny(namespace = 'team-a'): JsonObject {
  return defaultedNetworkPolicy('default-deny', { podSelector: {}, policyTypes: ['Ingress'] }, namespace);
}

/** An object whose `path` (keys) is replaced by `value`, leaving the rest as built. */
export function withField(object: JsonObject, path: readonly string[], value: unknown): JsonObject {
  const [key, ...rest] = path;
  if (key === undefined) return object;
  const child = object[key];
  const next = rest.length === 0 ? value : withField(typeof child === 'object' && child !== null ? (child as JsonObject) : {}, rest, value);
  return { ...object, [key]: next };
}
