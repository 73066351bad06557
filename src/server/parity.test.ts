/**
 * The webhook and `kube-guardrails check` give the same verdicts on the whole fixture
 * corpus: every fixture whose object under review is a NetworkPolicy or a Pod goes to
 * the webhook as a CREATE AdmissionReview (the other documents are the cluster it is
 * judged in) and through buildReport, the engine of `check`; allowed and the findings
 * (rule and path, per action) must agree.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { admissionReview, withField, type JsonObject } from '../../test/helpers/review-builders.js';
import { NOW, reviewServer, type ReviewServer } from '../../test/helpers/review-server.js';
import type { AdmissionResponse } from '../admission/response.js';
import { buildReport } from '../cli/check.js';
import { apiGroupOf } from '../core/kubernetes/subject.js';
import { listFixtures, type Fixture } from '../docs/fixtures.js';
import { manifestView } from '../engine/manifest-view.js';
import { parseManifests, type ManifestObject } from '../manifests/parse-manifests.js';
import { compilePolicy, DEFAULT_POLICY, type Policy } from '../policy/policy.js';
import { RULES } from '../rules/index.js';

const RULES_DIRECTORY = join(dirname(fileURLToPath(import.meta.url)), '..', 'rules');
const CHECK_NAMESPACE = 'default';

interface Case {
  readonly label: string;
  readonly fixture: Fixture;
  readonly objects: readonly ManifestObject[];
  readonly subject: JsonObject;
  readonly namespace: string;
}

function isWebhookKind(object: JsonObject): boolean {
  const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
  if (object.kind === 'NetworkPolicy') return apiGroupOf(apiVersion) === 'networking.k8s.io';
  return object.kind === 'Pod' && apiVersion === 'v1';
}

function namespaceOf(object: JsonObject): string {
  const metadata = object.metadata as { namespace?: unknown } | undefined;
  return typeof metadata?.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : CHECK_NAMESPACE;
}

function caseOf(fixture: Fixture): Case | undefined {
  const objects = parseManifests(fixture.text, fixture.path);
  const first = objects[0]?.object;
  if (first === undefined || !isWebhookKind(first)) return undefined;
  return { label: `${fixture.ruleId}/${fixture.outcome}/${fixture.name}`, fixture, objects, subject: first, namespace: namespaceOf(first) };
}

const CASES: readonly Case[] = RULES.flatMap((rule) => listFixtures(RULES_DIRECTORY, rule.id))
  .map(caseOf)
  .filter((entry): entry is Case => entry !== undefined);

/** Every rule at deny, so that every finding reaches the (untruncated) status message. */
const ALL_DENY = compilePolicy({ rules: Object.fromEntries(RULES.map((rule) => [rule.id, { action: 'deny' }])) });

interface Outcome {
  readonly allowed: boolean;
  /** `action rule path`, sorted, duplicates removed. */
  readonly findings: readonly string[];
}

const LINE = /^\[([a-z0-9-]+)\] (.+?): /;

function findingsOfLines(action: string, lines: readonly string[]): string[] {
  return lines.map((line) => {
    const match = LINE.exec(line);
    if (match === null) throw new Error(`not a "[rule] path: message" line: ${line}`);
    return `${action} ${match[1] ?? ''} ${match[2] ?? ''}`;
  });
}

function webhookOutcome(response: AdmissionResponse): Outcome {
  const denials = response.status?.code === 403 ? (response.status.message.split('\n')) : [];
  const findings = [...findingsOfLines('deny', denials), ...findingsOfLines('warn', response.warnings ?? [])];
  return { allowed: response.allowed, findings: [...new Set(findings)].sort() };
}

function checkOutcome(entry: Case, policy: Policy): Outcome {
  const report = buildReport([{ name: entry.fixture.path, objects: entry.objects }], policy, { namespace: CHECK_NAMESPACE }, NOW);
  const result = report.results[0];
  if (result === undefined) throw new Error(`${entry.label}: check reported no object`);
  expect(result.failures).toEqual([]);
  const findings = result.violations.filter((violation) => violation.action !== 'audit').map((violation) => `${violation.action} ${violation.rule} ${violation.path}`);
  return { allowed: result.allowed, findings: [...new Set(findings)].sort() };
}

const servers: ReviewServer[] = [];

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

async function webhookVerdict(entry: Case, policy: Policy): Promise<AdmissionResponse> {
  const server = reviewServer({ policy, view: manifestView(entry.objects.map((object) => object.object), entry.namespace) });
  servers.push(server);
  // The API server fills in metadata.namespace from the request before admission.
  const object = withField(entry.subject, ['metadata', 'namespace'], entry.namespace);
  const { response } = await server.validate(admissionReview(object, { namespace: entry.namespace }));
  return response;
}

describe.each([
  ['the default policy', DEFAULT_POLICY],
  ['every rule on deny', ALL_DENY],
])('webhook and check agree under %s', (_policyName, policy) => {
  it.each(CASES.map((entry) => [entry.label, entry] as const))('on %s', async (_label, entry) => {
    const response = await webhookVerdict(entry, policy);
    expect(response.warnings ?? []).not.toContainEqual(expect.stringMatching(/^\[kube-guardrails\]/));
    expect(webhookOutcome(response)).toEqual(checkOutcome(entry, policy));
  });
});

describe('the parity corpus', () => {
  it('covers NetworkPolicies and Pods, passing and failing, allowed and denied', () => {
    const kinds = new Set(CASES.map((entry) => entry.subject.kind));
    expect(kinds).toEqual(new Set(['NetworkPolicy', 'Pod']));
    expect(CASES.filter((entry) => entry.fixture.outcome === 'pass').length).toBeGreaterThan(10);
    expect(CASES.filter((entry) => entry.fixture.outcome === 'fail').length).toBeGreaterThan(20);
    const allowed = CASES.map((entry) => checkOutcome(entry, DEFAULT_POLICY).allowed);
    expect(allowed).toContain(true);
    expect(allowed).toContain(false);
  });

  it('takes every fixture of every rule whose first document is a networking.k8s.io NetworkPolicy or a v1 Pod', () => {
    const all = RULES.flatMap((rule) => listFixtures(RULES_DIRECTORY, rule.id));
    const skipped = all.filter((fixture) => !CASES.some((entry) => entry.fixture.path === fixture.path));
    for (const fixture of skipped) expect(isWebhookKind(parseManifests(fixture.text, fixture.path)[0]?.object as JsonObject)).toBe(false);
    expect(CASES.length + skipped.length).toBe(all.length);
  });
});
