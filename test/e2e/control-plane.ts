/**
 * A test control plane from real binaries, the way controller-runtime's envtest runs
 * one: etcd, kube-apiserver and kube-controller-manager as plain processes on free
 * loopback ports, static token users with distinct groups, RBAC, and an audit log at
 * Metadata level. The controller manager turns Deployments into ReplicaSets and Pods,
 * Jobs into Pods, and garbage-collects; with no scheduler or kubelet the Pods stay
 * Pending, which is all the webhook sees of them. It runs as the user
 * system:kube-controller-manager, as kubeadm runs it without per-controller
 * credentials. The ServiceAccount admission plugin stays off (no token controller).
 */
import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { makeCa, makeServingCert, type Ca } from '../helpers/pki.js';
import { freePort, startProcess, stopProcess, waitUntil, type Started } from './processes.js';

export interface User {
  readonly name: string;
  readonly token: string;
  readonly groups: readonly string[];
}

export const USERS: readonly User[] = [
  { name: 'admin', token: 'admin-token', groups: ['system:masters'] },
  { name: 'alice', token: 'alice-token', groups: ['dev-team'] },
  { name: 'ops-bot', token: 'ops-bot-token', groups: ['platform-ops'] },
];

export interface ControlPlane {
  readonly dir: string;
  readonly ca: Ca;
  readonly apiPort: number;
  readonly kubeconfig: string;
  /** The webhook's own identity, with only what manifests/rbac.yaml grants once bound. */
  readonly webhookKubeconfig: string;
  readonly auditLog: string;
  stop(): Promise<void>;
}

/** The identity the webhook's cluster view runs as: no group, so RBAC alone decides what it reads. */
export const WEBHOOK_USER = { name: 'kube-guardrails', token: 'kube-guardrails-token', groups: [] } as const;

/** The controller manager's identity: the name the webhook sees as the requester of controller-made objects. */
const CONTROLLER_MANAGER = { name: 'system:kube-controller-manager', token: 'kcm-token', groups: ['system:masters'] } as const;

const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  - level: Metadata
    resources:
      - group: "networking.k8s.io"
        resources: ["networkpolicies"]
      - group: ""
        resources: ["pods", "namespaces"]
      - group: "apps"
        resources: ["deployments", "replicasets"]
  - level: None
`;

/** A kubeconfig with a context per user, by token; the first user's is current. */
function kubeconfigText(apiPort: number, caPath: string, users: readonly Pick<User, 'name' | 'token'>[] = USERS): string {
  const current = users[0]?.name ?? '';
  const entries = users.map((user) => `  - name: ${user.name}\n    user: {token: ${user.token}}`).join('\n');
  const contexts = users.map((user) => `  - name: ${user.name}\n    context: {cluster: e2e, user: ${user.name}}`).join('\n');
  return `apiVersion: v1
kind: Config
clusters:
  - name: e2e
    cluster: {server: "https://127.0.0.1:${apiPort}", certificate-authority: "${caPath}"}
users:
${entries}
contexts:
${contexts}
current-context: ${current}
`;
}

function httpsOk(url: string, ca: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { ca, timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => {
      resolve(false);
    });
    req.end();
  });
}

async function startEtcd(binDir: string, dir: string): Promise<{ etcd: Started; url: string }> {
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const etcd = startProcess('etcd', join(binDir, 'etcd'), [
    '--data-dir', join(dir, 'etcd'),
    '--listen-client-urls', url, '--advertise-client-urls', url,
    '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer,
    '--initial-cluster', `default=${peer}`,
    '--unsafe-no-fsync', '--log-level', 'warn',
  ], join(dir, 'etcd.log'));
  await waitUntil('etcd /health', async () => (await fetch(`${url}/health`)).ok, 30_000, etcd);
  return { etcd, url };
}

function healthz(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    // Its serving certificate is self-signed: only the answer matters here.
    const req = request(`https://127.0.0.1:${port}/healthz`, { rejectUnauthorized: false, timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => {
      resolve(false);
    });
    req.end();
  });
}

async function startControllerManager(binDir: string, dir: string, apiPort: number, ca: Ca): Promise<Started> {
  const kubeconfig = join(dir, 'kcm.kubeconfig');
  await writeFile(kubeconfig, kubeconfigText(apiPort, ca.certPath, [{ name: 'kcm', token: CONTROLLER_MANAGER.token }]));
  const port = await freePort();
  const manager = startProcess('kube-controller-manager', join(binDir, 'kube-controller-manager'), [
    `--kubeconfig=${kubeconfig}`,
    '--bind-address=127.0.0.1', `--secure-port=${port}`, `--cert-dir=${join(dir, 'kcm-certs')}`,
    '--leader-elect=false',
    '--authentication-skip-lookup=true', '--authorization-always-allow-paths=/healthz',
    `--root-ca-file=${ca.certPath}`,
    // Fast enough for tests: the garbage collector and controllers resync quickly.
    '--concurrent-gc-syncs=5',
    '--v=1',
  ], join(dir, 'kube-controller-manager.log'));
  await waitUntil('kube-controller-manager /healthz', () => healthz(port), 60_000, manager);
  return manager;
}

export async function startControlPlane(binDir: string, dir: string): Promise<ControlPlane> {
  const ca = await makeCa(dir, 'ca');
  const serving = await makeServingCert(dir, ca, 'apiserver');
  const saKey = join(dir, 'sa.key');
  await writeFile(saKey, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }));
  const tokens = join(dir, 'tokens.csv');
  await writeFile(tokens, [...USERS, CONTROLLER_MANAGER, WEBHOOK_USER].map((u) => `${u.token},${u.name},uid-${u.name},"${u.groups.join(',')}"`).join('\n') + '\n');
  const auditPolicy = join(dir, 'audit-policy.yaml');
  const auditLog = join(dir, 'audit.log');
  await writeFile(auditPolicy, AUDIT_POLICY);
  const { etcd, url: etcdUrl } = await startEtcd(binDir, dir);
  const apiPort = await freePort();
  const apiserver = startProcess('kube-apiserver', join(binDir, 'kube-apiserver'), [
    `--etcd-servers=${etcdUrl}`,
    '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${apiPort}`,
    `--cert-dir=${join(dir, 'apiserver-certs')}`,
    `--tls-cert-file=${serving.certPath}`, `--tls-private-key-file=${serving.keyPath}`,
    '--service-cluster-ip-range=10.0.0.0/24',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${saKey}`, `--service-account-signing-key-file=${saKey}`,
    `--token-auth-file=${tokens}`,
    '--authorization-mode=RBAC',
    '--disable-admission-plugins=ServiceAccount',
    '--allow-privileged=true',
    `--audit-policy-file=${auditPolicy}`, `--audit-log-path=${auditLog}`, '--audit-log-format=json', '--audit-log-mode=blocking',
    '--enable-priority-and-fairness=false',
    '--endpoint-reconciler-type=none',
    '--v=1',
  ], join(dir, 'kube-apiserver.log'));
  await waitUntil('kube-apiserver /readyz', () => httpsOk(`https://127.0.0.1:${apiPort}/readyz`, ca.cert), 120_000, apiserver);
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, kubeconfigText(apiPort, ca.certPath));
  const webhookKubeconfig = join(dir, 'webhook.kubeconfig');
  await writeFile(webhookKubeconfig, kubeconfigText(apiPort, ca.certPath, [WEBHOOK_USER]));
  let manager: Started | undefined;
  try {
    manager = await startControllerManager(binDir, dir, apiPort, ca);
  } catch (error: unknown) {
    await stopProcess(apiserver);
    await stopProcess(etcd);
    throw error;
  }
  return {
    dir,
    ca,
    apiPort,
    kubeconfig,
    webhookKubeconfig,
    auditLog,
    stop: async () => {
      await stopProcess(manager);
      await stopProcess(apiserver);
      await stopProcess(etcd);
    },
  };
}
