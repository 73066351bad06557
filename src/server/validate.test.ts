import { WARNING_HARD_MAX } from '../admission/response.js';
import { MAX_FINDINGS_PER_RULE } from '../engine/evaluate.js';
/**
 * The webhook end to end, through Fastify's inject(): AdmissionReviews shaped like the
 * API server's (defaulted objects, userInfo, options, ?timeout=5s) in, the wire contract
 * of admission.k8s.io/v1 out, plus the decision log, metrics, health and draining.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  admissionReview,
  defaultDeny,
  defaultedNetworkPolicy,
  defaultedPod,
  egressToWorld,
  hostNetworkPod,
  hostPortPod,
  ingressFrom,
  plainPod,
  uidOf,
  withField,
  type JsonObject,
  type ReviewOptions,
} from '../../test/helpers/review-builders.js';
import { LOG_LEVEL, reviewServer, sampleValue, VALIDATE_URL, type LogLine, type ReviewServer, type ReviewServerOptions } from '../../test/helpers/review-server.js';
import type { AdmissionResponse } from '../admission/response.js';
import { compilePolicy } from '../policy/policy.js';
import { RULES } from '../rules/index.js';
import type { ClusterView } from '../rules/types.js';
import { manifestView } from '../cluster/manifest-view.js';

const servers: ReviewServer[] = [];

function server(options: ReviewServerOptions = {}): ReviewServer {
  const created = reviewServer(options);
  servers.push(created);
  return created;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((created) => created.close()));
});

async function respond(review: JsonObject, options: ReviewServerOptions = {}): Promise<AdmissionResponse> {
  return (await server(options).validate(review)).response;
}

function messageLines(response: AdmissionResponse): string[] {
  return response.status?.message.split('\n') ?? [];
}

function decisionLines(logs: readonly LogLine[]): LogLine[] {
  return logs.filter((line) => line.msg === 'admission decision');
}

const WORLD_INGRESS = ingressFrom('allow-world', ['0.0.0.0/0']);
/** In view, it isolates every pod of team-a, so that pod-not-isolated stays quiet. */
const ISOLATED: ClusterView = manifestView([defaultDeny('team-a')], 'team-a');
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/** The name part of a qualified name: the rule for an audit annotation key. */
const AUDIT_KEY = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

describe('the AdmissionReview envelope', () => {
  it('answers HTTP 200 with an admission.k8s.io/v1 AdmissionReview that echoes the request uid and has no patch', async () => {
    const review = admissionReview(WORLD_INGRESS, { uid: '705ab4f5-6393-11e8-b7cc-42010a800002' });
    const response = await server().post(review);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const body = response.json<JsonObject>();
    expect(body).toMatchObject({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: '705ab4f5-6393-11e8-b7cc-42010a800002' } });
    expect(Object.keys(body).sort()).toEqual(['apiVersion', 'kind', 'response']);
    expect(body.response).not.toHaveProperty('patch');
    expect(body.response).not.toHaveProperty('patchType');
  });

  it.each(['/validate', '/validate?timeout=5s', '/validate?timeout=30s'])('routes %s by its path, whatever timeout the API server appends', async (url) => {
    const review = admissionReview(plainPod());
    const response = await server({ view: ISOLATED }).app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(review) });
    expect(response.statusCode).toBe(200);
    expect(response.json<{ response: AdmissionResponse }>().response).toEqual({ uid: uidOf(review), allowed: true });
  });

  it('accepts application/json with a charset parameter', async () => {
    const review = admissionReview(WORLD_INGRESS);
    const response = await server().app.inject({ method: 'POST', url: VALIDATE_URL, headers: { 'content-type': 'application/json; charset=utf-8' }, payload: JSON.stringify(review) });
    expect(response.statusCode).toBe(200);
    expect(response.json<{ response: AdmissionResponse }>().response.allowed).toBe(false);
  });

  it('answers an unremarkable object with allowed true and nothing else', async () => {
    const review = admissionReview(plainPod());
    expect(await respond(review, { view: ISOLATED })).toEqual({ uid: uidOf(review), allowed: true });
  });

  it('judges a label named constructor or prototype like any other label', async () => {
    const labelled = defaultedPod('odd', { containers: [{ name: 'web', image: 'nginx:1.27' }] }, { app: 'odd', constructor: 'x', prototype: 'y' });
    const review = admissionReview(labelled);
    expect(await respond(review, { view: ISOLATED })).toEqual({ uid: uidOf(review), allowed: true });
  });
});

describe('denials', () => {
  it.each([
    ['0.0.0.0/0', ['0.0.0.0/0']],
    ['1.2.3.4/0 (host bits set)', ['1.2.3.4/0']],
    ['two /1 halves', ['0.0.0.0/1', '128.0.0.0/1']],
    ['four /2 quarters', ['0.0.0.0/2', '64.0.0.0/2', '128.0.0.0/2', '192.0.0.0/2']],
    ['::/0', ['::/0']],
    ['an IPv4-mapped IPv6 /96', ['::ffff:0.0.0.0/96']],
  ])('denies a NetworkPolicy admitting the internet as %s with 403 Forbidden and [netpol-world-ingress] lines', async (_spelling, cidrs) => {
    const response = await respond(admissionReview(ingressFrom('world', cidrs)));
    expect(response.allowed).toBe(false);
    expect(response.status).toMatchObject({ code: 403, reason: 'Forbidden' });
    const lines = messageLines(response);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/^\[netpol-world-ingress\] spec\.ingress\S*: \S/);
  });

  it('denies a Pod on the host network', async () => {
    const response = await respond(admissionReview(hostNetworkPod()), { view: ISOLATED });
    expect(response.allowed).toBe(false);
    expect(response.status).toMatchObject({ code: 403, reason: 'Forbidden' });
    expect(messageLines(response)).toEqual([expect.stringMatching(/^\[pod-host-network\] spec\.hostNetwork: /)]);
  });

  it('sends the warnings along with a denial', async () => {
    const both = defaultedNetworkPolicy('both-ways', {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }],
      egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }],
    });
    const response = await respond(admissionReview(both));
    expect(response.allowed).toBe(false);
    expect(messageLines(response).every((line) => line.startsWith('[netpol-world-ingress] '))).toBe(true);
    expect(response.warnings).toContainEqual(expect.stringMatching(/^\[netpol-world-egress\] .*"0\.0\.0\.0\/0"/));
  });
});

describe('warnings', () => {
  it('allows a warn-level finding and reports it as a warning with the rule, the value and the fix', async () => {
    const response = await respond(admissionReview(egressToWorld('to-anywhere')));
    expect(response.allowed).toBe(true);
    expect(response.status).toBeUndefined();
    expect(response.warnings).toEqual([
      '[netpol-world-egress] egress rule 1 admits "0.0.0.0/0": the internet (100% of public IPv4). Narrow the cidr to the ranges the pods need, or send external traffic through an egress proxy.',
    ]);
  });

  it.each([
    ['a NetworkPolicy with 60 egress rules to 0.0.0.0/0', egressToWorld('many-rules', 60), 60],
    ['a Pod with 60 containers on host ports', hostPortPod('many-ports', 60), 60],
  ])('keeps the warnings of %s short, plain and under 4 KiB in total', async (_name, object, findings) => {
    const response = await respond(admissionReview(object), { view: ISOLATED });
    expect(response.allowed).toBe(true);
    const warnings = response.warnings ?? [];
    expect(warnings.length).toBeGreaterThan(10);
    for (const warning of warnings) {
      expect(warning).toMatch(/^\[[a-z-]+\] /);
      expect(warning.length).toBeLessThanOrEqual(WARNING_HARD_MAX);
      expect(warning).not.toMatch(CONTROL);
    }
    expect(warnings.reduce((total, warning) => total + Buffer.byteLength(warning), 0)).toBeLessThan(4096);
    expect(new Set(warnings).size).toBe(warnings.length);
    const more = /^\[kube-guardrails\] (\d+) more warnings not shown$/.exec(warnings.at(-1) ?? '');
    const shown = more === null ? warnings.length : warnings.length - 1;
    // The engine keeps MAX_FINDINGS_PER_RULE findings per rule, the last counting the rest.
    expect(shown + Number(more?.[1] ?? 0)).toBe(Math.min(findings, MAX_FINDINGS_PER_RULE));
    expect(warnings.at(-1)).toMatch(/ more findings of this rule, not listed one by one/);
  });

  it('strips control characters from text the object supplies', async () => {
    const name = 'side\ncar\t\u0085\u2028x';
    const pod = defaultedPod('odd', { containers: [{ name, image: 'x', ports: [{ containerPort: 80, hostPort: 8080 }] }] }, { app: 'odd' });
    const response = await respond(admissionReview(pod), { view: ISOLATED });
    expect(response.warnings).toHaveLength(1);
    expect(response.warnings![0]).toMatch(/^\[pod-host-port\] /);
    expect(response.warnings![0]).not.toMatch(CONTROL);
  });
});

describe('audit annotations', () => {
  it('allows an audit-level finding and records it under its rule id', async () => {
    const policy = compilePolicy({ rules: { 'netpol-world-ingress': { action: 'audit' } } }, RULES);
    const review = admissionReview(WORLD_INGRESS);
    const response = await respond(review, { policy });
    expect(response.allowed).toBe(true);
    expect(response.status).toBeUndefined();
    expect(response.warnings).toBeUndefined();
    expect(Object.keys(response.auditAnnotations ?? {})).toEqual(['netpol-world-ingress']);
    expect(response.auditAnnotations?.['netpol-world-ingress']).toMatch(/^spec\.ingress\[0\]\.from\[0\]\.ipBlock\.cidr: /);
  });

  it('keeps every annotation key a valid qualified-name part (≤ 63 characters, no "/") with every rule on audit', async () => {
    const policy = compilePolicy({ rules: Object.fromEntries(RULES.map((rule) => [rule.id, { action: 'audit' }])) }, RULES);
    const created = server({ policy, view: manifestView([], 'team-a') });
    const keys = new Set<string>();
    for (const object of [WORLD_INGRESS, egressToWorld('e', 3), hostNetworkPod(), hostPortPod('hp', 2), defaultedPod('bare', { containers: [{ name: 'c', image: 'x' }] })]) {
      const { response } = await created.validate(admissionReview(object));
      expect(response.allowed).toBe(true);
      for (const [key, value] of Object.entries(response.auditAnnotations ?? {})) {
        keys.add(key);
        expect(value).not.toMatch(CONTROL);
        expect(value.length).toBeLessThanOrEqual(1024);
      }
    }
    expect(keys.size).toBeGreaterThanOrEqual(5);
    for (const key of [...keys, ...RULES.map((rule) => rule.id)]) {
      expect(key.length).toBeLessThanOrEqual(63);
      expect(key).not.toContain('/');
      expect(key).toMatch(AUDIT_KEY);
    }
  });

  it('records audit findings on a denied request too', async () => {
    const policy = compilePolicy({ rules: { 'netpol-world-egress': { action: 'audit' } } }, RULES);
    const both = defaultedNetworkPolicy('both-ways', { podSelector: {}, ingress: [{}], egress: [{}] });
    const response = await respond(admissionReview(both), { policy });
    expect(response.allowed).toBe(false);
    expect(Object.keys(response.auditAnnotations ?? {})).toEqual(['netpol-world-egress']);
  });
});

const BAD_NETPOL = WORLD_INGRESS;
const GOOD_NETPOL = ingressFrom('allow-partner', ['52.94.0.0/16']);

describe('what the webhook judges', () => {
  it.each<[string, JsonObject, JsonObject]>([
    ['NetworkPolicy', BAD_NETPOL, GOOD_NETPOL],
    ['Pod', hostNetworkPod('agent'), plainPod('agent')],
  ])('judges CREATE and UPDATE of a %s', async (_kind, bad, good) => {
    const created = server({ view: ISOLATED });
    expect((await created.validate(admissionReview(bad))).response.allowed).toBe(false);
    expect((await created.validate(admissionReview(bad, { operation: 'UPDATE', oldObject: good }))).response.allowed).toBe(false);
    expect((await created.validate(admissionReview(good))).response).not.toHaveProperty('status');
  });

  it.each<[string, JsonObject, JsonObject]>([
    ['NetworkPolicy', BAD_NETPOL, GOOD_NETPOL],
    ['Pod', hostNetworkPod('agent'), plainPod('agent')],
  ])('judges the new object of a %s UPDATE, not oldObject', async (_kind, bad, good) => {
    const created = server({ view: ISOLATED });
    const fixing = await created.validate(admissionReview(good, { operation: 'UPDATE', oldObject: bad }));
    expect(fixing.response).toEqual({ uid: fixing.response.uid, allowed: true });
    const breaking = await created.validate(admissionReview(bad, { operation: 'UPDATE', oldObject: good }));
    expect(breaking.response.allowed).toBe(false);
  });

  const calico = { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'world', namespace: 'team-a' }, spec: { ingress: [{ action: 'Allow', source: { nets: ['0.0.0.0/0'] } }] } };
  const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'team-a' }, data: { cidr: '0.0.0.0/0' } };
  const execOptions = { apiVersion: 'v1', kind: 'PodExecOptions', stdin: true, stdout: true, tty: true, container: 'agent', command: ['sh'] };

  it.each<[string, JsonObject | null, ReviewOptions]>([
    ['DELETE of a Pod (object null, oldObject set)', null, { operation: 'DELETE', oldObject: hostNetworkPod(), name: 'agent', namespace: 'team-a' }],
    ['CONNECT to pods/exec', execOptions, { operation: 'CONNECT', kind: { group: '', version: 'v1', kind: 'PodExecOptions' }, subResource: 'exec', name: 'agent', namespace: 'team-a' }],
    ['UPDATE of the pods/ephemeralcontainers subresource', hostNetworkPod(), { operation: 'UPDATE', subResource: 'ephemeralcontainers', oldObject: hostNetworkPod() }],
    ['UPDATE of the deployments/scale subresource', { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'agent', namespace: 'team-a' }, spec: { replicas: 3 } }, { operation: 'UPDATE', subResource: 'scale', kind: { group: 'apps', version: 'v1', kind: 'Deployment' } }],
    ['a ConfigMap', configMap, {}],
    ['a Calico NetworkPolicy (projectcalico.org/v3)', calico, {}],
  ])('allows %s without judging it', async (_name, object, options) => {
    const created = server({ view: ISOLATED });
    const review = admissionReview(object, options);
    const { response } = await created.validate(review);
    expect(response).toEqual({ uid: uidOf(review), allowed: true });
    expect(decisionLines(created.logs())).toEqual([expect.objectContaining({ uid: uidOf(review), decision: 'skip' })]);
  });

  const NETPOL_KIND = { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy' };

  it('judges the DELETE of a NetworkPolicy on oldObject and never refuses it, even one that admits the internet', async () => {
    const created = server({ view: ISOLATED });
    const review = admissionReview(null, { operation: 'DELETE', oldObject: BAD_NETPOL, kind: NETPOL_KIND, name: 'allow-world', namespace: 'team-a' });
    const { response } = await created.validate(review);
    expect(response).toEqual({ uid: uidOf(review), allowed: true });
    expect(decisionLines(created.logs())).toEqual([expect.objectContaining({ uid: uidOf(review), operation: 'DELETE', decision: 'allow' })]);
  });

  it('warns, naming the pods and the namespace, when a DELETE leaves existing pods without ingress isolation', async () => {
    const deny = defaultDeny('team-a');
    const withPods: ClusterView = { ...manifestView([deny], 'team-a'), pods: (namespace) => (namespace === 'team-a' ? [{ name: 'web-1', labels: { app: 'web' } }] : []) };
    const created = server({ view: withPods });
    const review = admissionReview(null, { operation: 'DELETE', oldObject: deny, kind: NETPOL_KIND, name: 'default-deny', namespace: 'team-a' });
    const { response } = await created.validate(review);
    expect(response.allowed).toBe(true);
    expect(response.warnings?.join('\n')).toContain('[pod-not-isolated]');
    expect(response.warnings?.join('\n')).toContain('1 pod of namespace "team-a" open to all ingress (web-1)');
  });

  it('says in a warning that the cluster view is stale, and counts it', async () => {
    const created = server({ view: ISOLATED, viewStaleness: () => 'pods lost 75 s ago' });
    const { response } = await created.validate(admissionReview(plainPod()));
    expect(response.allowed).toBe(true);
    expect(response.warnings?.[0]).toContain('cluster view not current (pods lost 75 s ago)');
    expect(sampleValue(await created.metricsText(), 'kube_guardrails_cluster_view_stale_reviews_total', {})).toBe(1);
  });

  it.each<[string, JsonObject]>([
    ['a denied NetworkPolicy', BAD_NETPOL],
    ['a NetworkPolicy with warnings', egressToWorld('to-anywhere')],
    ['a denied Pod', hostNetworkPod()],
    ['an allowed Pod', plainPod()],
  ])('judges a dry run of %s exactly like the real request', async (_name, object) => {
    const created = server({ view: ISOLATED });
    const real = await created.validate(admissionReview(object, { uid: 'real', dryRun: false }));
    const dry = await created.validate(admissionReview(object, { uid: 'dry', dryRun: true }));
    expect({ ...dry.response, uid: 'real' }).toEqual(real.response);
    const metrics = await created.metricsText();
    const kind = String(object.kind);
    expect(sampleValue(metrics, 'kube_guardrails_admission_reviews_total', { kind, dry_run: 'true' })).toBe(1);
    expect(sampleValue(metrics, 'kube_guardrails_admission_reviews_total', { kind, dry_run: 'false' })).toBe(1);
  });
});

describe('exemptions and enforcement', () => {
  const reason = 'SEC-1234: public status page, reviewed 2026-05';

  it.each<[string, Record<string, unknown>, JsonObject, JsonObject]>([
    [
      'namespace',
      { namespaces: ['edge-*'] },
      admissionReview(ingressFrom('world', ['0.0.0.0/0'], 'edge-public')),
      admissionReview(ingressFrom('world', ['0.0.0.0/0'], 'team-a')),
    ],
    [
      'object labels',
      { objectSelector: { matchLabels: { exposure: 'public' } } },
      admissionReview(withField(WORLD_INGRESS, ['metadata', 'labels'], { exposure: 'public' })),
      admissionReview(withField(WORLD_INGRESS, ['metadata', 'labels'], { exposure: 'internal' })),
    ],
    [
      'username',
      { usernames: ['system:serviceaccount:flux-system:kustomize-controller'] },
      admissionReview(WORLD_INGRESS, { username: 'system:serviceaccount:flux-system:kustomize-controller', groups: ['system:serviceaccounts', 'system:authenticated'] }),
      admissionReview(WORLD_INGRESS, { username: 'system:serviceaccount:team-a:default', groups: ['system:serviceaccounts', 'system:authenticated'] }),
    ],
    [
      'group',
      { groups: ['platform-admins'] },
      admissionReview(WORLD_INGRESS, { username: 'bob@example.com', groups: ['platform-admins', 'system:authenticated'] }),
      admissionReview(WORLD_INGRESS, { username: 'bob@example.com', groups: ['developers', 'system:authenticated'] }),
    ],
  ])('waives a denial by %s, and only for the matching requests', async (_by, scope, exempt, other) => {
    const policy = compilePolicy({ exemptions: [{ name: 'status-page', rules: ['netpol-world-ingress'], reason, ...scope }] }, RULES);
    const created = server({ policy });
    const { response } = await created.validate(exempt);
    expect(response).toMatchObject({ uid: uidOf(exempt), allowed: true });
    expect(response.status).toBeUndefined();
    expect(response.warnings).toEqual([expect.stringMatching(/^\[netpol-world-ingress\] \(waived by exemption "status-page"\) /)]);
    expect(response.auditAnnotations).toEqual({ 'netpol-world-ingress.waived': `exemption "status-page", ${reason}: spec.ingress[0].from[0].ipBlock.cidr: ingress rule 0 admits "0.0.0.0/0": the internet (100% of public IPv4)` });
    expect((await created.validate(other)).response).toMatchObject({ allowed: false, status: { code: 403 } });
    expect(sampleValue(await created.metricsText(), 'kube_guardrails_findings_waived_total', { rule: 'netpol-world-ingress', exemption: 'status-page' })).toBe(1);
    expect(decisionLines(created.logs())[0]).toMatchObject({ waived: [{ rule: 'netpol-world-ingress', exemption: 'status-page', reason }] });
  });

  it('extends a user exemption with workloadPods to the Pods workload controllers create, and to nothing else', async () => {
    const exemption = { name: 'alice-agents', rules: ['pod-host-network'], namespaces: ['team-a'], usernames: ['alice'], reason };
    const controller = { username: 'system:serviceaccount:kube-system:replicaset-controller', groups: ['system:serviceaccounts', 'system:authenticated'] };
    const owned = withField(hostNetworkPod(), ['metadata', 'ownerReferences'], [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'agent-5d9c', uid: 'u-1', controller: true }]);
    const withWorkloads = compilePolicy({ exemptions: [{ ...exemption, workloadPods: true }] }, RULES);
    const without = compilePolicy({ exemptions: [exemption] }, RULES);
    const allowed = async (review: JsonObject, policy: typeof without) => (await respond(review, { view: ISOLATED, policy })).allowed;
    expect(await allowed(admissionReview(owned, controller), withWorkloads)).toBe(true);
    expect(await allowed(admissionReview(owned, { username: 'system:kube-controller-manager', groups: ['system:authenticated'] }), withWorkloads)).toBe(true);
    expect(await allowed(admissionReview(hostNetworkPod(), controller), withWorkloads)).toBe(false);
    expect(await allowed(admissionReview(owned, { username: 'bob', groups: ['system:authenticated'] }), withWorkloads)).toBe(false);
    expect(await allowed(admissionReview(owned, controller), without)).toBe(false);
    expect(await allowed(admissionReview(withField(owned, ['metadata', 'namespace'], 'team-b'), { ...controller, namespace: 'team-b' }), withWorkloads)).toBe(false);
  });

  it('names the exemption that expired in the denial', async () => {
    const policy = compilePolicy({ exemptions: [{ name: 'old', rules: ['netpol-world-ingress'], namespaces: ['team-a'], reason, expires: '2026-01-31' }] }, RULES);
    const response = await respond(admissionReview(WORLD_INGRESS), { policy });
    expect(response.status?.message).toMatch(/^\[netpol-world-ingress\] .* \(exemption "old" expired 2026-01-31\)$/);
  });

  it('records a denial that audit enforcement softened as a would-deny audit annotation', async () => {
    const response = await respond(admissionReview(WORLD_INGRESS), { policy: compilePolicy({ enforcement: 'audit' }, RULES) });
    expect(response.auditAnnotations).toEqual({ 'netpol-world-ingress.would-deny': expect.stringMatching(/^spec\.ingress\[0\]\.from\[0\]\.ipBlock\.cidr: ingress rule 0 admits "0\.0\.0\.0\/0"/) });
  });

  it('no longer waives a finding once the exemption has expired', async () => {
    const policy = compilePolicy({ exemptions: [{ name: 'old', rules: ['netpol-world-ingress'], namespaces: ['team-a'], reason, expires: '2026-01-31' }] }, RULES);
    expect((await respond(admissionReview(WORLD_INGRESS), { policy })).allowed).toBe(false);
  });

  it('turns a denial into a warning under enforcement: audit', async () => {
    const response = await respond(admissionReview(WORLD_INGRESS), { policy: compilePolicy({ enforcement: 'audit' }, RULES) });
    expect(response.allowed).toBe(true);
    expect(response.status).toBeUndefined();
    expect(response.warnings).toEqual([expect.stringMatching(/^\[netpol-world-ingress\] \(deny when enforced\) ingress rule 0 admits "0\.0\.0\.0\/0"/)]);
  });
});

describe('messages for long lists', () => {
  it('summarises 4,000 excepts in one short denial line that keeps the value and the fix', async () => {
    const excepts = Array.from({ length: 4_000 }, (_, i) => `${10 + Math.floor(i / 256)}.${i % 256}.0.0/24`);
    const policy = defaultedNetworkPolicy('many-excepts', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0', except: excepts } }] }] });
    const lines = messageLines(await respond(admissionReview(policy)));
    expect(lines).toEqual([expect.stringContaining('admits "0.0.0.0/0" except 4,000 blocks: the internet')]);
    expect(lines[0]!.length).toBeLessThan(300);
    expect(lines[0]).toMatch(/Narrow the cidr to the client ranges that need access, or put the service behind an Ingress or Gateway\.$/);
  });
});

describe('workloads and namespaces at admission', () => {
  const hostNetworkDeployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'agent', namespace: 'team-a' },
    spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { hostNetwork: true, containers: [{ name: 'a', image: 'x' }] } } },
  };
  const unlabelledCronJob = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'nightly', namespace: 'team-a' },
    spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } } } } },
  };

  it('refuses a Deployment on the host network, pointing into its pod template', async () => {
    const response = await respond(admissionReview(hostNetworkDeployment), { view: ISOLATED });
    expect(response.allowed).toBe(false);
    expect(messageLines(response)).toEqual([expect.stringMatching(/^\[pod-host-network\] spec\.template\.spec\.hostNetwork: /)]);
  });

  it('refuses a CronJob whose job template lacks the required label', async () => {
    const response = await respond(admissionReview(unlabelledCronJob), { view: ISOLATED });
    expect(messageLines(response)).toEqual([expect.stringMatching(/^\[required-labels\] spec\.jobTemplate\.spec\.template\.metadata\.labels: /)]);
  });

  it('refuses a Namespace without the labels the policy requires of namespaces', async () => {
    const policy = compilePolicy({ rules: { 'required-labels': { namespaces: [{ key: 'owner' }] } } }, RULES);
    const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'no-owner', labels: { 'kubernetes.io/metadata.name': 'no-owner' } } };
    const response = await respond(admissionReview(namespace), { policy });
    expect(messageLines(response)).toEqual([expect.stringMatching(/^\[required-labels\] metadata\.labels: the Namespace is missing the required label "owner"/)]);
    const owned = { ...namespace, metadata: { ...namespace.metadata, labels: { ...namespace.metadata.labels, owner: 'team-a' } } };
    expect((await respond(admissionReview(owned), { policy })).allowed).toBe(true);
  });

  it('counts reviews of every judged kind under its own label', async () => {
    const created = server({ view: ISOLATED });
    await created.validate(admissionReview(hostNetworkDeployment));
    expect(sampleValue(await created.metricsText(), 'kube_guardrails_admission_reviews_total', { kind: 'Deployment', decision: 'deny' })).toBe(1);
  });
});

describe('updates are judged on what they change', () => {
  const annotated = (object: JsonObject): JsonObject => withField(object, ['metadata', 'annotations'], { 'example.com/touched': 'yes' });
  const withoutLabels = (object: JsonObject): JsonObject => withField(object, ['metadata', 'labels'], {});
  const update = (object: JsonObject, oldObject: JsonObject, options: ReviewOptions = {}) => admissionReview(object, { operation: 'UPDATE', oldObject, ...options });

  it('allows annotating a Pod that already ran on the host network, warning that the finding predates the change', async () => {
    const response = await respond(update(annotated(hostNetworkPod()), hostNetworkPod()), { view: ISOLATED });
    expect(response.allowed).toBe(true);
    expect(response.warnings).toContainEqual(expect.stringMatching(/^\[pod-host-network\] \(predates this change\) /));
    expect(response.auditAnnotations?.['pod-host-network.preexisting']).toMatch(/^spec\.hostNetwork: /);
  });

  it('refuses an update that creates a finding: removing the required label', async () => {
    const response = await respond(update(withoutLabels(plainPod()), plainPod()), { view: ISOLATED });
    expect(response.allowed).toBe(false);
    expect(messageLines(response)).toEqual([expect.stringMatching(/^\[required-labels\] metadata\.labels: /)]);
  });

  it('refuses an update that makes a finding worse: a new value is a new finding', async () => {
    const narrow = ingressFrom('partner', ['52.94.0.0/16']);
    const wide = ingressFrom('partner', ['0.0.0.0/0']);
    expect((await respond(update(wide, narrow))).allowed).toBe(false);
    expect((await respond(update(ingressFrom('partner', ['0.0.0.0/0', '1.2.3.4/0']), wide))).allowed).toBe(false);
  });

  it('judges the labels a pods/status update writes: removing the required label is refused', async () => {
    const options: ReviewOptions = { subResource: 'status' };
    expect((await respond(update(withoutLabels(plainPod()), plainPod(), options), { view: ISOLATED })).allowed).toBe(false);
    expect((await respond(update(hostNetworkPod(), hostNetworkPod(), options), { view: ISOLATED })).allowed).toBe(true);
  });

  it('judges updates as creates under updates: strict', async () => {
    const policy = compilePolicy({ updates: 'strict' }, RULES);
    const response = await respond(update(annotated(hostNetworkPod()), hostNetworkPod()), { view: ISOLATED, policy });
    expect(response.allowed).toBe(false);
  });

  it('never judges the stored object on CREATE', async () => {
    expect((await respond(admissionReview(hostNetworkPod(), { oldObject: hostNetworkPod() }), { view: ISOLATED })).allowed).toBe(false);
  });
});

describe('a rule that throws', () => {
  const broken: ClusterView = {
    pods: () => undefined,
    namespaces: () => undefined,
    networkPolicies: () => {
      throw new Error('informer cache not synced');
    },
  };

  it('denies with status 500 under onError: deny, logs the failure with the uid and counts it', async () => {
    const created = server({ view: broken });
    const review = admissionReview(plainPod(), { uid: 'f00dfeed-0000-4000-8000-000000000001' });
    const { response } = await created.validate(review);
    expect(response.allowed).toBe(false);
    expect(response.status).toMatchObject({ code: 500, reason: 'InternalError' });
    expect(response.status?.message).toContain('pod-not-isolated');
    const failures = created.logs().filter((line) => line.code === 'KG_RULE_FAILED');
    expect(failures).toEqual([expect.objectContaining({ level: LOG_LEVEL.error, uid: 'f00dfeed-0000-4000-8000-000000000001', rule: 'pod-not-isolated' })]);
    expect(JSON.stringify(failures[0]?.err)).toContain('informer cache not synced');
    expect(sampleValue(await created.metricsText(), 'kube_guardrails_rule_failures_total', { rule: 'pod-not-isolated' })).toBe(1);
  });

  it('allows with a "skipped" warning under onError: allow, and still logs and counts the failure', async () => {
    const created = server({ view: broken, policy: compilePolicy({ onError: 'allow' }, RULES) });
    const review = admissionReview(plainPod());
    const { response } = await created.validate(review);
    expect(response).toEqual({ uid: uidOf(review), allowed: true, warnings: ['[pod-not-isolated] skipped: internal error in the rule'] });
    expect(created.logs().filter((line) => line.code === 'KG_RULE_FAILED')).toEqual([expect.objectContaining({ uid: uidOf(review), rule: 'pod-not-isolated' })]);
    expect(sampleValue(await created.metricsText(), 'kube_guardrails_rule_failures_total', { rule: 'pod-not-isolated' })).toBe(1);
  });

  it('never denies for a failure under enforcement: audit', async () => {
    const { response } = await server({ view: broken, policy: compilePolicy({ enforcement: 'audit', onError: 'deny' }, RULES) }).validate(admissionReview(plainPod()));
    expect(response.allowed).toBe(true);
    expect(response.warnings).toEqual(['[pod-not-isolated] skipped: internal error in the rule']);
  });

  it('still reports the findings of the other rules', async () => {
    const { response } = await server({ view: broken }).validate(admissionReview(hostNetworkPod()));
    expect(response.allowed).toBe(false);
    expect(response.status).toMatchObject({ code: 403, reason: 'Forbidden' });
    expect(messageLines(response)).toEqual([
      expect.stringMatching(/^\[pod-host-network\] /),
      expect.stringMatching(/^\[pod-not-isolated\] internal error in the rule; the object is refused because onError is deny$/),
    ]);
  });
});

/** A Pod with a secret in its env, applied with client-side kubectl apply. */
const secretPod = defaultedPod('web', { containers: [{ name: 'web', image: 'nginx:1.27', env: [{ name: 'DB_PASSWORD', value: 'hunter2-in-env' }] }] }, { app: 'web' });

describe('the decision log', () => {
  it('writes one line per decision with uid, kind, namespace, name, operation, user, decision, rules and duration', async () => {
    const created = server({ view: ISOLATED });
    const review = admissionReview(BAD_NETPOL, { uid: 'aaaaaaaa-0000-4000-8000-000000000001' });
    await created.validate(review);
    const lines = decisionLines(created.logs());
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: LOG_LEVEL.info,
      uid: 'aaaaaaaa-0000-4000-8000-000000000001',
      kind: 'NetworkPolicy',
      namespace: 'team-a',
      name: 'allow-world',
      operation: 'CREATE',
      user: 'alice@example.com',
      decision: 'deny',
      rules: ['netpol-world-ingress:deny'],
    });
    expect(lines[0]?.durationMs).toEqual(expect.any(Number));
    expect(lines[0]?.durationMs as number).toBeGreaterThanOrEqual(0);
  });

  it.each<[string, JsonObject, ReviewOptions, Record<string, unknown>]>([
    ['an allowed Pod with warnings', hostPortPod('hp', 2), { operation: 'UPDATE', username: 'bob' }, { kind: 'Pod', operation: 'UPDATE', user: 'bob', decision: 'allow', rules: ['pod-host-port:warn'] }],
    ['a clean Pod', plainPod(), {}, { kind: 'Pod', decision: 'allow', rules: [] }],
    ['a skipped DELETE', plainPod(), { operation: 'DELETE', oldObject: plainPod() }, { kind: 'Pod', operation: 'DELETE', decision: 'skip', rules: [] }],
  ])('logs %s', async (_name, object, options, expected) => {
    const created = server({ view: ISOLATED });
    const review = admissionReview(options.operation === 'DELETE' ? null : object, options);
    await created.validate(review);
    expect(decisionLines(created.logs())).toEqual([expect.objectContaining({ uid: uidOf(review), ...expected })]);
  });

  it('leaves the object out of the log unless logBodies is set', async () => {
    const created = server({ view: ISOLATED });
    await created.validate(admissionReview(secretPod));
    expect(decisionLines(created.logs())[0]).not.toHaveProperty('object');
    expect(created.logText()).not.toContain('hunter2');
    expect(created.logText()).not.toContain('nginx:1.27');
  });

  it('logs the object with logBodies, container env values redacted', async () => {
    const created = server({ view: ISOLATED, logBodies: true });
    await created.validate(admissionReview(withField(secretPod, ['metadata', 'annotations'], {})));
    const [line] = decisionLines(created.logs());
    expect(line?.object).toMatchObject({ kind: 'Pod', spec: { containers: [{ image: 'nginx:1.27', env: [{ name: 'DB_PASSWORD', value: '[redacted]' }] }] } });
    expect(created.logText()).not.toContain('hunter2');
  });
});

describe('health, readiness and metrics', () => {
  it('answers /healthz with 200', async () => {
    const response = await server({ state: 'starting' }).app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it.each([
    ['starting', 503],
    ['ready', 200],
    ['draining', 503],
  ] as const)('answers /readyz while %s with %i', async (state, status) => {
    const response = await server({ state }).app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(status);
    expect(response.json()).toEqual({ status: state });
  });

  it('follows the lifecycle state as it changes', async () => {
    const created = server({ state: 'starting' });
    const readyz = async (): Promise<number> => (await created.app.inject({ method: 'GET', url: '/readyz' })).statusCode;
    expect(await readyz()).toBe(503);
    created.setState('ready');
    expect(await readyz()).toBe(200);
    created.setState('draining');
    expect(await readyz()).toBe(503);
  });

  it('exposes reviews, latency buckets, findings and bad requests in Prometheus text', async () => {
    const created = server({ view: ISOLATED });
    await created.validate(admissionReview(BAD_NETPOL));
    await created.validate(admissionReview(BAD_NETPOL, { dryRun: true }));
    await created.validate(admissionReview(hostPortPod('hp', 3), { operation: 'UPDATE', oldObject: plainPod('hp') }));
    await created.validate(admissionReview(null, { operation: 'DELETE', oldObject: plainPod() }));
    await created.app.inject({ method: 'POST', url: VALIDATE_URL, headers: { 'content-type': 'application/json' }, payload: '{' });
    const response = await created.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = response.body;
    const reviews = 'kube_guardrails_admission_reviews_total';
    expect(sampleValue(text, reviews, { kind: 'NetworkPolicy', operation: 'CREATE', decision: 'deny', dry_run: 'false' })).toBe(1);
    expect(sampleValue(text, reviews, { kind: 'NetworkPolicy', operation: 'CREATE', decision: 'deny', dry_run: 'true' })).toBe(1);
    expect(sampleValue(text, reviews, { kind: 'Pod', operation: 'UPDATE', decision: 'allow', dry_run: 'false' })).toBe(1);
    expect(sampleValue(text, reviews, { kind: 'Pod', operation: 'DELETE', decision: 'skip', dry_run: 'false' })).toBe(1);
    const duration = 'kube_guardrails_admission_review_duration_seconds';
    expect(sampleValue(text, `${duration}_bucket`, { le: '0.001', kind: 'NetworkPolicy', decision: 'deny' })).toEqual(expect.any(Number));
    expect(sampleValue(text, `${duration}_bucket`, { le: '0.005', kind: 'NetworkPolicy', decision: 'deny' })).toEqual(expect.any(Number));
    expect(sampleValue(text, `${duration}_count`, { kind: 'NetworkPolicy', decision: 'deny' })).toBe(2);
    expect(sampleValue(text, 'kube_guardrails_findings_total', { rule: 'netpol-world-ingress', action: 'deny' })).toBe(2);
    expect(sampleValue(text, 'kube_guardrails_findings_total', { rule: 'pod-host-port', action: 'warn' })).toBe(3);
    expect(sampleValue(text, 'kube_guardrails_bad_requests_total', { code: 'KG_BAD_REVIEW' })).toBe(1);
    expect(text).toContain('# TYPE kube_guardrails_admission_review_duration_seconds histogram');
  });
});

describe('draining', () => {
  it('asks the client to close the connection while draining, and keeps answering', async () => {
    const created = server({ state: 'draining' });
    const review = admissionReview(BAD_NETPOL);
    const response = await created.post(review);
    expect(response.statusCode).toBe(200);
    expect(response.headers.connection).toBe('close');
    expect(response.json<{ response: AdmissionResponse }>().response).toMatchObject({ uid: uidOf(review), allowed: false });
    expect((await created.app.inject({ method: 'GET', url: '/healthz' })).headers.connection).toBe('close');
  });

  it('keeps connections open while ready', async () => {
    const created = server({ state: 'ready' });
    const response = await created.post(admissionReview(BAD_NETPOL));
    expect(response.headers.connection).not.toBe('close');
  });
});

describe('logging, metrics and redaction', () => {
  it('redacts env values in the last-applied-configuration annotation that kubectl apply adds, when logging bodies', async () => {
    const created = server({ view: ISOLATED, logBodies: true });
    await created.validate(admissionReview(secretPod));
    expect(created.logText()).not.toContain('hunter2');
  });

  it('redacts env values of ephemeral containers when logging bodies', async () => {
    const created = server({ view: ISOLATED, logBodies: true });
    const debugged = withField(withField(plainPod(), ['metadata', 'annotations'], {}), ['spec', 'ephemeralContainers'], [{ name: 'debugger', image: 'busybox', env: [{ name: 'TOKEN', value: 'hunter2-ephemeral' }] }]);
    await created.validate(admissionReview(debugged, { operation: 'UPDATE', subResource: 'ephemeralcontainers', oldObject: plainPod() }));
    expect(created.logText()).not.toContain('hunter2');
  });

  it('keeps the kind label of the review metrics to a bounded set, whatever kinds reach /validate', async () => {
    const created = server({ view: ISOLATED });
    for (let index = 0; index < 30; index++) {
      await created.validate(admissionReview(plainPod(), { kind: { group: 'example.com', version: 'v1', kind: `Widget${index}` } }));
    }
    const kinds = new Set((await created.metricsText()).split('\n').flatMap((line) => (line.startsWith('kube_guardrails_admission_reviews_total{') ? (/kind="([^"]*)"/.exec(line)?.slice(1) ?? []) : [])));
    expect(kinds.size).toBeLessThan(10);
  });
});
