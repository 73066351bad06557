/**
 * The one table of object kinds: what each judged kind is on the wire (group, version,
 * resource, scope), where its pod template lives, and whether the webhook judges it at
 * admission. Subject reading, pod templates, review parsing, metric labels, the rule docs
 * and the shipped ValidatingWebhookConfiguration all read this table (a test holds the
 * manifest to it).
 */

/** The namespace of a namespaced object that names none, as the API server and kubectl take it. */
export const DEFAULT_NAMESPACE = 'default';

/** Set by the API server on every namespace to its name (KEP-2161): present everywhere, and never forged. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * The users kube-controller-manager creates objects from templates as: itself, or with
 * --use-service-account-credentials one service account per controller.
 */
const WORKLOAD_CONTROLLER_USERS = new Set([
  'system:kube-controller-manager',
  ...['replicaset-controller', 'replication-controller', 'daemon-set-controller', 'statefulset-controller', 'job-controller', 'cronjob-controller'].map(
    (controller) => `system:serviceaccount:kube-system:${controller}`,
  ),
]);

export function isWorkloadController(username: string): boolean {
  return WORKLOAD_CONTROLLER_USERS.has(username);
}

/** How rules see an object: a NetworkPolicy, something that carries a pod template, or a Namespace. */
export type JudgedKind = 'NetworkPolicy' | 'PodTemplate' | 'Namespace';

export interface KindSpec {
  readonly kind: string;
  /** The API group the webhook registers and the manifests normally name ('' is core). */
  readonly group: string;
  readonly version: string;
  /** Older groups that manifests may still name (extensions/v1beta1); read by `check`, never registered. */
  readonly legacyGroups: readonly string[];
  readonly resource: string;
  readonly scope: 'Namespaced' | 'Cluster';
  readonly judgedAs: JudgedKind;
  /** Keys from the object to its pod template; [] for a Pod, which is its own template. */
  readonly templatePath?: readonly string[];
  /** Whether the webhook registration judges CREATE and UPDATE of this kind. */
  readonly admission: boolean;
  /** Subresources whose updates can change what rules read (a Pod's labels through pods/status); judged too. */
  readonly subresources: readonly string[];
  /** Whether the webhook also judges DELETE (never refused: what the deletion leaves open is warned about). */
  readonly deletions?: true;
}

const WORKLOAD_TEMPLATE = ['spec', 'template'] as const;

export const KINDS: readonly KindSpec[] = [
  { kind: 'NetworkPolicy', group: 'networking.k8s.io', version: 'v1', legacyGroups: [], resource: 'networkpolicies', scope: 'Namespaced', judgedAs: 'NetworkPolicy', admission: true, subresources: [], deletions: true },
  { kind: 'Namespace', group: '', version: 'v1', legacyGroups: [], resource: 'namespaces', scope: 'Cluster', judgedAs: 'Namespace', admission: true, subresources: [] },
  { kind: 'Pod', group: '', version: 'v1', legacyGroups: [], resource: 'pods', scope: 'Namespaced', judgedAs: 'PodTemplate', templatePath: [], admission: true, subresources: ['status'] },
  { kind: 'PodTemplate', group: '', version: 'v1', legacyGroups: [], resource: 'podtemplates', scope: 'Namespaced', judgedAs: 'PodTemplate', templatePath: ['template'], admission: true, subresources: [] },
  { kind: 'ReplicationController', group: '', version: 'v1', legacyGroups: [], resource: 'replicationcontrollers', scope: 'Namespaced', judgedAs: 'PodTemplate', templatePath: WORKLOAD_TEMPLATE, admission: true, subresources: [] },
  { kind: 'Deployment', group: 'apps', version: 'v1', legacyGroups: ['extensions'], resource: 'deployments', scope: 'Namespaced', judgedAs: 'PodTemplate', templatePath: WORKLOAD_TEMPLATE, admission: true, subresources: [] },
  { kind: 'StatefulSet', group: 'apps', version: 'v1', legacyGroups: [], resource: 'statefulsets', scope: 'Namespaced', judgedAs: 'PodTemplate', templatePath: WORKLOAD_TEMPLATE, admission: true, subresources: [] },
  { kind: 'DaemonSet', group: 'apps', version: 'v1', legacyGroups: ['extensions'], resource: 'daemonsets', scope: 'Namespaced', judgedAs: 'PodTemplate', templatePath: WORKLOAD_TEMPLATE, admission: true, subresources: [] },
  { kind: 'ReplicaSet', group: 'apps', version: 'v1', legacyGroups: ['extensions'], resource: 'replicasets', scope: 'Namespaced', judgedAs: 'PodTemplate', templatePath: WORKLOAD_TEMPLATE, admission: true, subresources: [] },
  { kind: 'Job', group: 'batch', version: 'v1', legacyGroups: [], resource: 'jobs', scope: 'Namespaced', judgedAs: 'PodTemplate', templatePath: WORKLOAD_TEMPLATE, admission: true, subresources: [] },
  { kind: 'CronJob', group: 'batch', version: 'v1', legacyGroups: [], resource: 'cronjobs', scope: 'Namespaced', judgedAs: 'PodTemplate', templatePath: ['spec', 'jobTemplate', 'spec', 'template'], admission: true, subresources: [] },
];

/** The kinds the webhook judges at admission, in table order. */
const ADMISSION_KINDS: readonly KindSpec[] = KINDS.filter((spec) => spec.admission);

export function apiGroupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

const BY_KIND = new Map(KINDS.map((spec) => [spec.kind, spec]));

/**
 * The table entry for an object's apiVersion and kind, or undefined when no rule judges it.
 * The group matters: Calico and Cilium also define a kind NetworkPolicy.
 */
export function kindOf(apiVersion: string, kind: string): KindSpec | undefined {
  const spec = BY_KIND.get(kind);
  if (spec === undefined) return undefined;
  const group = apiGroupOf(apiVersion);
  return group === spec.group || spec.legacyGroups.includes(group) ? spec : undefined;
}

/** The table entry for a group, version and kind as an AdmissionReview names them, if the webhook judges it. */
export function admissionKindOf(group: string, version: string, kind: string): KindSpec | undefined {
  return ADMISSION_KINDS.find((spec) => spec.group === group && spec.version === version && spec.kind === kind);
}

/** Whether the webhook judges writes to this subresource ('' is the object itself). */
export function judgesSubresource(spec: KindSpec, subresource: string): boolean {
  return subresource === '' || spec.subresources.includes(subresource);
}

/** A rule of a ValidatingWebhookConfiguration, as the API server reads it. */
export interface WebhookRule {
  readonly apiGroups: readonly string[];
  readonly apiVersions: readonly string[];
  readonly resources: readonly string[];
  readonly operations: readonly string[];
  readonly scope: KindSpec['scope'];
}

/** The rules a registration of the webhook must hold: one per admission kind, CREATE and UPDATE, and DELETE where judged. */
export function webhookRules(): WebhookRule[] {
  return ADMISSION_KINDS.map((spec) => ({
    apiGroups: [spec.group],
    apiVersions: [spec.version],
    resources: [spec.resource, ...spec.subresources.map((subresource) => `${spec.resource}/${subresource}`)],
    operations: ['CREATE', 'UPDATE', ...(spec.deletions === true ? ['DELETE'] : [])],
    scope: spec.scope,
  }));
}

/**
 * The namespaces the webhook registration leaves out (its namespaceSelector, by the
 * name label no one can forge): the control plane's own, and ours. The audit skips them
 * too, so that it reports only what admission would judge (a test holds the registration
 * to this list).
 */
export const EXCLUDED_NAMESPACES: readonly string[] = ['kube-system', 'kube-guardrails'];

/** Where a kind is listed: cluster-wide, or in one namespace for a namespaced kind. */
export function collectionPath(spec: KindSpec, namespace?: string): string {
  const base = spec.group === '' ? `/api/${spec.version}` : `/apis/${spec.group}/${spec.version}`;
  return namespace === undefined || spec.scope === 'Cluster' ? `${base}/${spec.resource}` : `${base}/namespaces/${namespace}/${spec.resource}`;
}

/** The apiVersion a kind is served as (what a list's items lack). */
export function apiVersionOf(spec: KindSpec): string {
  return spec.group === '' ? spec.version : `${spec.group}/${spec.version}`;
}
