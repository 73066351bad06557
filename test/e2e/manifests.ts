/** The objects the e2e suite applies, as YAML text for `kubectl apply -f -`. */
import { webhookRules } from '../../src/core/kubernetes/kinds.js';

export const WEBHOOK_NAME = 'validate.kube-guardrails.io';

/** The webhook's policy in the e2e cluster: defaults, one audit rule, two exemptions. */
export const E2E_POLICY = policyText('enforce');

export function policyText(enforcement: 'enforce' | 'audit'): string {
  return `enforcement: ${enforcement}
rules:
  netpol-broad-cidr: {action: audit}
exemptions:
  - name: sandbox-namespaces
    rules: [netpol-world-ingress, pod-host-network, required-labels]
    namespaces: ["sandbox-*"]
    reason: Sandboxes are isolated by other means (e2e).
  - name: ops-bot
    rules: [netpol-world-ingress]
    usernames: [ops-bot]
    reason: The platform's automation may publish edge policies (e2e).
`;
}

export function webhookConfiguration(port: number, caPem: string, failurePolicy: 'Fail' | 'Ignore'): string {
  return `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: kube-guardrails-e2e
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
        - {key: kubernetes.io/metadata.name, operator: NotIn, values: [kube-system]}
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
