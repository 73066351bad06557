/**
 * Starts the control plane and the real webhook once for the whole e2e suite, registers
 * the ValidatingWebhookConfiguration, waits until the API server enforces it, and hands
 * the tests what they need. Everything it started is stopped by PID at the end.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startControlPlane, WEBHOOK_USER, type ControlPlane } from './control-plane.js';
import { kubectl } from './kubectl.js';
import { E2E_POLICY, WEBHOOK_NAME, webhookConfiguration, WORLD_POLICY } from './manifests.js';
import { startProcess, stopProcess, waitUntil, type Started } from './processes.js';
import { makeServingCert } from '../helpers/pki.js';

export interface E2eContext {
  readonly dir: string;
  readonly kubectl: string;
  readonly kubeconfig: string;
  readonly auditLog: string;
  readonly policyPath: string;
  readonly webhookPid: number;
  readonly webhookLog: string;
  readonly webhookConfigurationName: string;
  /** The CA that signed the webhook's serving certificate, for more registrations. */
  readonly caPem: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    e2e: E2eContext;
  }
}

const ROOT = join(import.meta.dirname, '..', '..');

/** manifests/rbac.yaml's ClusterRole, bound to the webhook's user instead of its ServiceAccount. */
async function shippedViewRbac(): Promise<string> {
  const shipped = await readFile(join(ROOT, 'manifests', 'rbac.yaml'), 'utf8');
  return shipped.replace(/subjects:\n[\s\S]*$/, `subjects:\n  - {kind: User, name: ${WEBHOOK_USER.name}, apiGroup: rbac.authorization.k8s.io}\n`);
}

async function startWebhook(plane: ControlPlane, policyPath: string): Promise<{ webhook: Started; port: number }> {
  const cert = await makeServingCert(plane.dir, plane.ca, 'webhook');
  const logPath = join(plane.dir, 'webhook.log');
  const webhook = startProcess('webhook', process.execPath, [
    join(ROOT, 'dist', 'main.js'), 'serve', '--port', '0', '--host', '127.0.0.1',
    '--tls-cert', cert.certPath, '--tls-key', cert.keyPath, '--policy', policyPath,
  ], logPath, { ...process.env, WATCH_INTERVAL_MS: '200', SHUTDOWN_DELAY_SECONDS: '0', LOG_LEVEL: 'info', CLUSTER_VIEW: 'on', KUBECONFIG: plane.webhookKubeconfig });
  let port = 0;
  await waitUntil('the webhook to listen', async () => {
    const ready = (await readFile(logPath, 'utf8')).split('\n').find((line) => line.includes('kube-guardrails webhook ready'));
    if (ready === undefined) return false;
    port = Number(new URL((JSON.parse(ready) as { address: string }).address).port);
    return true;
  }, 30_000, webhook);
  return { webhook, port };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const binDir = process.env.K8S_BIN_DIR;
  if (binDir === undefined || binDir === '') throw new Error('K8S_BIN_DIR is not set: run the suite through test/e2e/run.sh (npm run test:e2e)');
  const dir = await mkdtemp(join(tmpdir(), 'kg-e2e-'));
  let plane: ControlPlane | undefined;
  let webhook: Started | undefined;
  const env = { kubectl: join(binDir, 'kubectl'), kubeconfig: '' };
  const teardown = async (): Promise<void> => {
    if (plane !== undefined) await kubectl({ ...env, kubeconfig: plane.kubeconfig }, ['delete', 'validatingwebhookconfiguration', 'kube-guardrails-e2e', '--ignore-not-found']);
    await stopProcess(webhook, 10_000);
    await plane?.stop();
    if (process.env.KEEP_E2E_DIR === undefined) await rm(dir, { recursive: true, force: true });
  };
  try {
    plane = await startControlPlane(binDir, dir);
    const kube = { ...env, kubeconfig: plane.kubeconfig };
    const policyPath = join(dir, 'policy.yaml');
    await writeFile(policyPath, E2E_POLICY);
    // The cluster view runs as its own user with exactly the shipped ClusterRole: a missing grant fails the suite.
    const role = await kubectl(kube, ['apply', '-f', '-'], await shippedViewRbac());
    if (role.code !== 0) throw new Error(`cannot apply the cluster view's RBAC: ${role.stderr}`);
    const started = await startWebhook(plane, policyPath);
    webhook = started.webhook;
    const bindOps = await kubectl(kube, ['create', 'clusterrolebinding', 'e2e-users', '--clusterrole=cluster-admin', '--group=platform-ops', '--group=dev-team']);
    if (bindOps.code !== 0) throw new Error(`cannot bind the test users: ${bindOps.stderr}`);
    const registered = await kubectl(kube, ['apply', '-f', '-'], webhookConfiguration(started.port, plane.ca.cert, 'Fail'));
    if (registered.code !== 0) throw new Error(`cannot register the webhook: ${registered.stderr}`);
    // The configuration reaches the admission chain through an informer: wait until it bites.
    await waitUntil('the webhook to be enforced', async () => {
      const probe = await kubectl(kube, ['apply', '--dry-run=server', '-n', 'default', '-f', '-'], WORLD_POLICY('probe'));
      return probe.stderr.includes(`admission webhook "${WEBHOOK_NAME}" denied the request`);
    }, 60_000);
    project.provide('e2e', {
      dir,
      kubectl: env.kubectl,
      kubeconfig: plane.kubeconfig,
      auditLog: plane.auditLog,
      policyPath,
      webhookPid: webhook.child.pid ?? 0,
      webhookLog: webhook.logPath,
      webhookConfigurationName: 'kube-guardrails-e2e',
      caPem: plane.ca.cert,
    });
  } catch (error: unknown) {
    process.stderr.write(`e2e setup failed; logs are in ${dir} (kept)\n`);
    process.env.KEEP_E2E_DIR = '1';
    await teardown();
    throw error;
  }
  return teardown;
}
