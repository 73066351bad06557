/** The objects the e2e suite applies, as YAML text for `kubectl apply -f -`. */
import { webhookRules } from '../../src/core/kubernetes/kinds.js';

export const WEBHOOK_NAME = 'validate.kube-guardrails.io';

/** The webhook's policy in the e2e cluster: defaults, one audit rule, two exemptions. */
export const E2E_POLICY = policyText('enforce');

export function policyText(enforcement: 'enforce' | 'audit', extra: { readonly rules?: string; readonly exemptions?: string } = {}): string {
  return `enforcement: ${enforcement}
rules:
  netpol-broad-cidr: {action: audit}
${extra.rules ?? ''}exemptions:
  - name: sandbox-namespaces
    rules: [netpol-world-ingress, pod-host-network, required-labels]
    namespaces: ["sandbox-*"]
    reason: Sandboxes are isolated by other means (e2e).
  - name: ops-bot
    rules: [netpol-world-ingress]
    usernames: [ops-bot]
    reason: The platform's automation may publish edge policies (e2e).
  - name: alice-agents
    rules: [pod-host-network]
    namespaces: ["agents-*"]
    usernames: [alice]
    workloadPods: true
    reason: Alice runs node agents on the host network (e2e).
${extra.exemptions ?? ''}`;
}

/**
 * A registration by url on loopback. `onlyNamespace` narrows it to one namespace: the
 * suite registers a second one pointing at a closed port to see what an outage does,
 * while the real webhook keeps serving the other tests.
 */
export function webhookConfiguration(port: number, caPem: string, failurePolicy: 'Fail' | 'Ignore', options: { name?: string; onlyNamespace?: string } = {}): string {
  const selector =
    options.onlyNamespace === undefined
      ? '        - {key: kubernetes.io/metadata.name, operator: NotIn, values: [kube-system]}'
      : `        - {key: kubernetes.io/metadata.name, operator: In, values: [${options.onlyNamespace}]}`;
  return `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: ${options.name ?? 'kube-guardrails-e2e'}
webhooks:
  - name: ${WEBHOOK_NAME}
    admissionReviewVersions: [v1]
    sideEffects: None
    failurePolicy: ${failurePolicy}
    timeoutSeconds: 5
    matchPolicy: Equivalent
    clientConfig:
      url: https://127.0.0.1:${port}/validate
      caBundle: ${Buffer.from(caPem).toString('base64')}
    rules:
${webhookRules().map((rule) => `      - ${JSON.stringify(rule)}`).join('\n')}
    namespaceSelector:
      matchExpressions:
${selector}
`;
}

function networkPolicy(name: string, spec: string): string {
  return `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: ${name}
spec:
${spec}`;
}

export const WORLD_POLICY = (name: string, cidr = '0.0.0.0/0'): string =>
  networkPolicy(name, `  podSelector: {}
  policyTypes: [Ingress]
  ingress:
    - from:
        - ipBlock: {cidr: "${cidr}"}
`);

export const SPLIT_HALVES_POLICY = (name: string): string =>
  networkPolicy(name, `  podSelector: {}
  policyTypes: [Ingress]
  ingress:
    - from: [{ipBlock: {cidr: 0.0.0.0/1}}]
    - from: [{ipBlock: {cidr: 128.0.0.0/1}}]
`);

export const COMPLIANT_POLICY = (name: string): string =>
  networkPolicy(name, `  podSelector:
    matchLabels: {app: backend}
  policyTypes: [Ingress]
  ingress:
    - from:
        - podSelector:
            matchLabels: {app: frontend}
      ports:
        - {protocol: TCP, port: 8080}
`);

/** Allowed, with a warn-level finding: egress to the whole internet on 443. */
export const EGRESS_WORLD_POLICY = (name: string): string =>
  networkPolicy(name, `  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to: [{ipBlock: {cidr: 0.0.0.0/0}}]
      ports: [{protocol: TCP, port: 443}, {protocol: UDP, port: 53}, {protocol: TCP, port: 53}]
`);

/** Allowed, with an audit-level finding (netpol-broad-cidr is set to audit in E2E_POLICY). */
export const BROAD_CIDR_POLICY = (name: string): string =>
  networkPolicy(name, `  podSelector: {}
  policyTypes: [Ingress]
  ingress:
    - from: [{ipBlock: {cidr: 52.0.0.0/6}}]
`);

export function pod(name: string, options: { hostNetwork?: boolean; labels?: Record<string, string> } = {}): string {
  const labels = Object.entries(options.labels ?? {}).map(([k, v]) => `    ${k}: ${v}\n`).join('');
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
${labels === '' ? '' : `  labels:\n${labels}`}spec:
  hostNetwork: ${options.hostNetwork === true}
  containers:
    - name: app
      image: registry.example.com/app:1.0
`;
}

/** A Deployment of `replicas` Pods from one template. */
export function deployment(name: string, options: { hostNetwork?: boolean; labels?: Record<string, string>; replicas?: number } = {}): string {
  const labels = options.labels ?? { app: name };
  const labelLines = Object.entries(labels).map(([k, v]) => `        ${k}: ${v}`).join('\n');
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${options.replicas ?? 2}
  selector:
    matchLabels: {e2e-deployment: ${name}}
  template:
    metadata:
      labels:
        e2e-deployment: ${name}
${labelLines}
    spec:
      hostNetwork: ${options.hostNetwork === true}
      containers:
        - name: app
          image: registry.example.com/app:1.0
`;
}

/** A CronJob whose job template carries `labels` (none: it lacks the required app label). */
export function cronJob(name: string, labels: Record<string, string> = {}): string {
  const labelLines = Object.entries(labels).map(([k, v]) => `            ${k}: ${v}`).join('\n');
  return `apiVersion: batch/v1
kind: CronJob
metadata:
  name: ${name}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
${labelLines === '' ? '' : `        metadata:\n          labels:\n${labelLines}\n`}        spec:
          restartPolicy: Never
          containers:
            - name: app
              image: registry.example.com/batch:1.0
`;
}
