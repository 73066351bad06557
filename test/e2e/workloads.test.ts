/**
 * How clusters are run, through a real kube-apiserver, kube-controller-manager and
 * kubectl: workloads judged at apply, their Pods created by the controllers, updates of
 * objects admitted in audit mode, the garbage collector orphaning Pods, exemptions that
 * say so, and Namespaces judged.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { clusterHelpers, DENIED } from './helpers.js';
import { kubectl, type KubectlResult } from './kubectl.js';
import { cronJob, deployment, E2E_POLICY, policyText, WORLD_POLICY } from './manifests.js';

const e2e = inject('e2e');
const kube = { kubectl: e2e.kubectl, kubeconfig: e2e.kubeconfig };
const { namespace, apply, exists, eventually } = clusterHelpers(kube);

const as = (input: string, user: string, ...args: string[]): Promise<KubectlResult> => kubectl(kube, ['--context', user, ...args], input);

/** Names of the Pods of a Deployment, once the controllers have made `count` of them. */
async function podsOf(ns: string, name: string, count: number): Promise<string[]> {
  const listed = await eventually(
    () => kubectl(kube, ['get', 'pods', '-n', ns, '-l', `e2e-deployment=${name}`, '-o', 'jsonpath={.items[*].metadata.name}']),
    (result) => result.stdout.split(' ').filter((pod) => pod !== '').length >= count,
    60_000,
  );
  return listed.stdout.split(' ').filter((pod) => pod !== '');
}

/** Swaps the webhook's policy file and waits until a probe shows the new one is in force. */
async function usePolicy(text: string, inForce: () => Promise<boolean>): Promise<void> {
  await writeFile(e2e.policyPath, text);
  const deadline = Date.now() + 30_000;
  while (!(await inForce()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 300));
}

const worldProbe = async (ns: string, expectDenied: boolean): Promise<boolean> =>
  ((await apply(ns, WORLD_POLICY('probe'), '--dry-run=server')).code !== 0) === expectDenied;

afterAll(async () => {
  await writeFile(e2e.policyPath, E2E_POLICY);
});

describe('workloads at kubectl apply', () => {
  it('refuses a Deployment on the host network at apply, pointing into its template, and no ReplicaSet appears', async () => {
    const ns = await namespace();
    const result = await apply(ns, deployment('agent', { hostNetwork: true }));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(DENIED);
    expect(result.stderr).toContain('[pod-host-network] spec.template.spec.hostNetwork: hostNetwork is true');
    expect((await kubectl(kube, ['get', 'replicasets', '-n', ns, '-o', 'name'])).stdout).toBe('');
  });

  it('refuses a CronJob whose job template lacks the required label, at the path of that template', async () => {
    const ns = await namespace();
    const result = await apply(ns, cronJob('nightly'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('[required-labels] spec.jobTemplate.spec.template.metadata.labels: the pod template of this CronJob is missing the required label "app"');
  });

  it('admits a compliant Deployment, whose ReplicaSet and Pods the controllers then create through the webhook', async () => {
    const ns = await namespace();
    const result = await apply(ns, deployment('web'));
    expect(result.code, result.stderr).toBe(0);
    expect(await podsOf(ns, 'web', 2)).toHaveLength(2);
  });

  it('admits a Job made from a compliant CronJob, and the Job controller creates its Pod', async () => {
    const ns = await namespace();
    expect((await apply(ns, cronJob('nightly', { app: 'batch' }))).code).toBe(0);
    const job = await kubectl(kube, ['create', 'job', 'nightly-now', '--from=cronjob/nightly', '-n', ns]);
    expect(job.code, job.stderr).toBe(0);
    const pods = await eventually(() => kubectl(kube, ['get', 'pods', '-n', ns, '-l', 'job-name=nightly-now', '-o', 'name']), (r) => r.stdout !== '', 60_000);
    expect(pods.stdout).toMatch(/^pod\/nightly-now-/);
  });
});

describe('exemptions that cover the Pods of a user’s workloads', () => {
  it('lets the exempt user’s Deployment and its controller-made Pods onto the host network, says so, and refuses anyone else', async () => {
    const ns = await namespace('agents');
    const applied = await as(deployment('node-agent', { hostNetwork: true }), 'alice', 'apply', '-n', ns, '-f', '-');
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stderr).toMatch(/^Warning: \[pod-host-network\] \(waived by exemption "alice-agents"\) /m);
    expect(await podsOf(ns, 'node-agent', 2)).toHaveLength(2);
    const hostNetworks = await kubectl(kube, ['get', 'pods', '-n', ns, '-l', 'e2e-deployment=node-agent', '-o', 'jsonpath={.items[*].spec.hostNetwork}']);
    expect(hostNetworks.stdout).toBe('true true');
    const asAdmin = await apply(ns, deployment('other-agent', { hostNetwork: true }));
    expect(asAdmin.code).toBe(1);
    expect(asAdmin.stderr).toContain(DENIED);
    const audit = await readFile(e2e.auditLog, 'utf8');
    expect(audit).toContain('"validate.kube-guardrails.io/pod-host-network.waived"');
  });
});

describe('after the switch from audit to enforce', () => {
  it('lets objects admitted in audit mode be annotated and orphaned, and refuses only the changes that create a finding', async () => {
    const ns = await namespace();
    await usePolicy(policyText('audit'), () => worldProbe(ns, false));
    const applied = await apply(ns, deployment('legacy', { hostNetwork: true }));
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stderr).toMatch(/^Warning: \[pod-host-network\] \(deny when enforced\) /m);
    const [pod] = await podsOf(ns, 'legacy', 2);
    await usePolicy(policyText('enforce'), () => worldProbe(ns, true));

    const annotated = await kubectl(kube, ['annotate', 'pod', pod!, '-n', ns, 'example.com/touched=yes']);
    expect(annotated.code, annotated.stderr).toBe(0);
    expect(annotated.stderr).toMatch(/^Warning: \[pod-host-network\] \(predates this change\) /m);

    const unlabelled = await kubectl(kube, ['label', 'pod', pod!, '-n', ns, 'app-']);
    expect(unlabelled.code).toBe(1);
    expect(unlabelled.stderr).toContain('[required-labels] metadata.labels');

    const throughStatus = await kubectl(kube, ['patch', 'pod', pod!, '-n', ns, '--subresource=status', '--type=merge', '-p', '{"metadata":{"labels":{"app":null}}}']);
    expect(throughStatus.code).toBe(1);
    expect(throughStatus.stderr).toContain('[required-labels] metadata.labels');

    const replicaSet = (await kubectl(kube, ['get', 'replicasets', '-n', ns, '-o', 'jsonpath={.items[0].metadata.name}'])).stdout;
    const orphaned = await kubectl(kube, ['delete', 'replicaset', replicaSet, '-n', ns, '--cascade=orphan', '--wait=true', '--timeout=60s']);
    expect(orphaned.code, orphaned.stderr).toBe(0);
    expect(await exists(ns, 'replicaset', replicaSet)).toBe(false);
    const owners = await eventually(
      () => kubectl(kube, ['get', 'pod', pod!, '-n', ns, '-o', 'jsonpath={.metadata.ownerReferences}']),
      (result) => result.code === 0 && result.stdout === '',
      60_000,
    );
    expect(owners.stdout).toBe('');
  });
});

describe('namespaces and exemptions in denials', () => {
  const requireOwner = {
    rules: '  required-labels:\n    namespaces: [{key: owner}]\n',
    exemptions: '  - name: expired\n    rules: [netpol-world-ingress]\n    namespaces: [legacy-edge]\n    reason: Retired with the old edge (e2e).\n    expires: "2020-01-31"\n',
  };

  it('refuses a Namespace without the owner label the policy requires, and names an expired exemption in a denial', async () => {
    await usePolicy(policyText('enforce', requireOwner), async () => (await kubectl(kube, ['create', 'namespace', 'probe-no-owner', '--dry-run=server'])).code !== 0);
    const refused = await kubectl(kube, ['create', 'namespace', 'no-owner']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('[required-labels] metadata.labels: the Namespace is missing the required label "owner"');
    const owned = await kubectl(kube, ['apply', '-f', '-'], 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: legacy-edge\n  labels: {owner: team-edge}\n');
    expect(owned.code, owned.stderr).toBe(0);
    const denied = await apply('legacy-edge', WORLD_POLICY('edge'));
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('(exemption "expired" expired 2020-01-31)');
    await usePolicy(E2E_POLICY, async () => (await kubectl(kube, ['create', 'namespace', 'probe-no-owner', '--dry-run=server'])).code === 0);
    const after = await kubectl(kube, ['create', 'namespace', 'no-owner-after']);
    expect(after.code, after.stderr).toBe(0);
  });
});
