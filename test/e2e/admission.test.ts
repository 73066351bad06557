/**
 * What kubectl users see, against a real kube-apiserver calling the real webhook.
 * Assertions are on substrings of kubectl's output (its framing varies by version).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { clusterHelpers, DENIED } from './helpers.js';
import { kubectl } from './kubectl.js';
import {
  BROAD_CIDR_POLICY,
  COMPLIANT_POLICY,
  EGRESS_WORLD_POLICY,
  pod,
  policyText,
  SPLIT_HALVES_POLICY,
  WEBHOOK_NAME,
  WORLD_POLICY,
  webhookConfiguration,
} from './manifests.js';
import { freePort } from './processes.js';

const ROOT = join(import.meta.dirname, '..', '..');
const e2e = inject('e2e');
const kube = { kubectl: e2e.kubectl, kubeconfig: e2e.kubeconfig };
const { namespace, apply, exists, eventually } = clusterHelpers(kube);

describe('the deployment manifests', () => {
  it('are accepted by the API server as kubectl apply -k sends them, the registration apart (server-side dry run)', async () => {
    // A dry run creates nothing, so the namespace the other objects live in must exist.
    await kubectl(kube, ['create', 'namespace', 'kube-guardrails']);
    const install = await kubectl(kube, ['apply', '-k', join(ROOT, 'manifests'), '--dry-run=server']);
    expect(install.code, install.stderr).toBe(0);
    for (const kind of ['deployment.apps/kube-guardrails', 'networkpolicy.networking.k8s.io/kube-guardrails', 'poddisruptionbudget.policy/kube-guardrails']) {
      expect(install.stdout).toContain(kind);
    }
    // Step 1 registers no webhook and applies no settings object.
    expect(install.stdout).not.toContain('validatingwebhookconfiguration');
    expect(install.stdout).not.toContain('kube-guardrails-settings');
    const registration = await kubectl(kube, ['apply', '-k', join(ROOT, 'manifests', 'registration'), '--dry-run=server']);
    expect(registration.code, registration.stderr).toBe(0);
    expect(registration.stdout).toContain('validatingwebhookconfiguration.admissionregistration.k8s.io/kube-guardrails');
  });

  it('set the webhook NetworkPolicy source from settings.yaml', async () => {
    const rendered = await kubectl(kube, ['kustomize', join(ROOT, 'manifests')]);
    expect(rendered.code, rendered.stderr).toBe(0);
    expect(rendered.stdout).toContain('cidr: 10.0.0.0/8');
    expect(rendered.stdout).not.toContain('local-config');
  });
});

describe('kubectl apply through the webhook', () => {
  let ns: string;
  beforeAll(async () => {
    ns = await namespace();
  });

  it('refuses a NetworkPolicy admitting 0.0.0.0/0 with exit status 1, naming the rule and the fix', async () => {
    const result = await apply(ns, WORLD_POLICY('world'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(DENIED);
    expect(result.stderr).toContain('[netpol-world-ingress] spec.ingress[0].from[0].ipBlock.cidr');
    expect(result.stderr).toContain('ingress rule 0 admits "0.0.0.0/0": the internet (100% of public IPv4). Narrow the cidr to the client ranges that need access');
    expect(await exists(ns, 'networkpolicy', 'world')).toBe(false);
  });

  it.each([
    ['host bits set', WORLD_POLICY('host-bits', '1.2.3.4/0'), '(= 0.0.0.0/0)'],
    ['leading zeros', WORLD_POLICY('zeros', '000.0.0.0/00'), '(= 0.0.0.0/0)'],
    ['two /1 halves in two rules', SPLIT_HALVES_POLICY('halves'), 'netpol-world-ingress'],
  ])('refuses the evasive spelling with %s, which the API server itself accepts', async (_case, yaml, expected) => {
    const result = await apply(ns, yaml);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(DENIED);
    expect(result.stderr).toContain(expected);
  });

  it('creates a compliant NetworkPolicy without a word', async () => {
    const result = await apply(ns, COMPLIANT_POLICY('from-frontend'));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('Warning:');
    expect(await exists(ns, 'networkpolicy', 'from-frontend')).toBe(true);
  });

  it('prints a warn-level finding as "Warning: [rule] …" and creates the object', async () => {
    const result = await apply(ns, EGRESS_WORLD_POLICY('egress-anywhere'));
    expect(result.code, result.stderr).toBe(0);
    // Too long for 120 characters with the path: the rule, the value and the fix survive.
    expect(result.stderr).toMatch(/^Warning: \[netpol-world-egress\] egress rule 0 admits "0\.0\.0\.0\/0": the internet \(100% of public IPv4\)\. Narrow the cidr/m);
    expect(await exists(ns, 'networkpolicy', 'egress-anywhere')).toBe(true);
  });

  it('records audit-level findings as audit annotations in the API server audit log', async () => {
    const result = await apply(ns, BROAD_CIDR_POLICY('broad'));
    expect(result.code, result.stderr).toBe(0);
    const key = `${WEBHOOK_NAME}/netpol-broad-cidr`;
    let annotation: string | undefined;
    for (let attempt = 0; attempt < 40 && annotation === undefined; attempt++) {
      const events = (await readFile(e2e.auditLog, 'utf8')).split('\n').filter((line) => line.includes('"broad"'));
      for (const line of events) {
        const event = JSON.parse(line) as { stage?: string; objectRef?: { name?: string; namespace?: string }; annotations?: Record<string, string> };
        if (event.stage === 'ResponseComplete' && event.objectRef?.namespace === ns) annotation ??= event.annotations?.[key];
      }
      if (annotation === undefined) await sleep(250);
    }
    expect(annotation).toContain('spec.ingress[0].from[0].ipBlock.cidr');
    expect(annotation).toContain('52.0.0.0/6');
  });

  it('judges kubectl apply --dry-run=server without creating anything', async () => {
    const refused = await apply(ns, WORLD_POLICY('dry-world'), '--dry-run=server');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('[netpol-world-ingress]');
    const accepted = await apply(ns, COMPLIANT_POLICY('dry-ok'), '--dry-run=server');
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(await exists(ns, 'networkpolicy', 'dry-ok')).toBe(false);
  });

  it('judges an UPDATE: applying a changed object that opens to the world is refused and the old one stays', async () => {
    expect((await apply(ns, COMPLIANT_POLICY('evolving'))).code).toBe(0);
    const changed = WORLD_POLICY('evolving');
    const result = await apply(ns, changed);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(DENIED);
    const current = await kubectl(kube, ['get', '-n', ns, 'networkpolicy', 'evolving', '-o', 'jsonpath={.spec.podSelector.matchLabels.app}']);
    expect(current.stdout).toBe('backend');
  });

  it('refuses a Pod with hostNetwork', async () => {
    const result = await apply(ns, pod('on-host', { hostNetwork: true, labels: { app: 'agent' } }));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('[pod-host-network] spec.hostNetwork');
  });

  it('refuses a Pod without the required app label, and creates one that has it', async () => {
    const refused = await apply(ns, pod('unlabelled'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('[required-labels] metadata.labels');
    const created = await apply(ns, pod('labelled', { labels: { app: 'web' } }));
    expect(created.code, created.stderr).toBe(0);
  });
});

describe('exemptions', () => {
  it('lets a namespace matching an exemption glob through', async () => {
    const sandbox = await namespace('sandbox');
    const result = await apply(sandbox, WORLD_POLICY('open'));
    expect(result.code, result.stderr).toBe(0);
  });

  it('lets an exempt user through, and only that user', async () => {
    const ns = await namespace();
    const asOps = await kubectl(kube, ['--context', 'ops-bot', 'apply', '-n', ns, '-f', '-'], WORLD_POLICY('edge'));
    expect(asOps.code, asOps.stderr).toBe(0);
    const asAlice = await kubectl(kube, ['--context', 'alice', 'apply', '-n', ns, '-f', '-'], WORLD_POLICY('edge-2'));
    expect(asAlice.code).toBe(1);
    expect(asAlice.stderr).toContain(DENIED);
  });
});

describe('global audit mode', () => {
  it('turns the refusal into a warning, live, and back when the policy returns to enforce', async () => {
    const ns = await namespace();
    await writeFile(e2e.policyPath, policyText('audit'));
    const warned = await eventually(() => apply(ns, WORLD_POLICY('audited'), '--dry-run=server'), (r) => r.code === 0);
    expect(warned.code, warned.stderr).toBe(0);
    expect(warned.stderr).toMatch(/^Warning: \[netpol-world-ingress\]/m);
    await writeFile(e2e.policyPath, policyText('enforce'));
    const refused = await eventually(() => apply(ns, WORLD_POLICY('audited'), '--dry-run=server'), (r) => r.code === 1);
    expect(refused.stderr).toContain(DENIED);
  });
});

describe('with the webhook down', () => {
  it('refuses writes under failurePolicy Fail and admits them under Ignore, as README documents', async () => {
    const ns = await namespace();
    // A registration for this namespace alone, at a port where nothing listens: the
    // real webhook keeps serving the rest of the suite.
    const closedPort = await freePort();
    const name = 'kube-guardrails-e2e-down';
    const registered = await kubectl(kube, ['apply', '-f', '-'], webhookConfiguration(closedPort, e2e.caPem, 'Fail', { name, onlyNamespace: ns }));
    expect(registered.code, registered.stderr).toBe(0);
    try {
      const refused = await eventually(() => apply(ns, COMPLIANT_POLICY('while-down')), (r) => r.code === 1 && r.stderr.includes('failed calling webhook'));
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`failed calling webhook "${WEBHOOK_NAME}"`);
      const patched = await kubectl(kube, ['patch', 'validatingwebhookconfiguration', name, '--type=json', '-p', '[{"op":"replace","path":"/webhooks/0/failurePolicy","value":"Ignore"}]']);
      expect(patched.code, patched.stderr).toBe(0);
      const admitted = await eventually(() => apply(ns, COMPLIANT_POLICY('while-down')), (r) => r.code === 0);
      expect(admitted.code, admitted.stderr).toBe(0);
      expect(await exists(ns, 'networkpolicy', 'while-down')).toBe(true);
    } finally {
      await kubectl(kube, ['delete', 'validatingwebhookconfiguration', name, '--ignore-not-found']);
    }
  });
});
