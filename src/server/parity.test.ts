/**
 * The webhook and `kube-guardrails check` give the same verdicts on the whole fixture
 * corpus: every fixture whose object under review is a kind the webhook registers goes to
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
import { manifestView } from '../cluster/manifest-view.js';
import { admissionKindOf, apiGroupOf } from '../core/kubernetes/kinds.js';
import { listFixtures, type Fixture } from '../docs/fixtures.js';
import { evaluateBatch } from '../engine/batch.js';
import { buildReport, type ReportedViolation } from '../report/report.js';
import { parseManifests, type ManifestObject } from '../manifests/parse-manifests.js';
import { compilePolicy, defaultPolicy, type Policy } from '../policy/policy.js';
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

/** The kinds the table of kinds registers with the webhook. */
function isWebhookKind(object: JsonObject): boolean {
  const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
  const version = apiVersion.slice(apiVersion.indexOf('/') + 1);
  return typeof object.kind === 'string' && admissionKindOf(apiGroupOf(apiVersion), version, object.kind) !== undefined;
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

// A rule that reads how the manifest was written has nothing to read at admission: its fixtures differ by design.
const CASES: readonly Case[] = RULES.filter((rule) => rule.manifestOnly !== true)
  .flatMap((rule) => listFixtures(RULES_DIRECTORY, rule.id))
  .map(caseOf)
  .filter((entry): entry is Case => entry !== undefined);

/** Every rule at deny, so that every finding reaches the (untruncated) status message. */
const ALL_DENY = compilePolicy({ rules: Object.fromEntries(RULES.map((rule) => [rule.id, { action: 'deny' }])) }, RULES);

interface Outcome {
  readonly allowed: boolean;
  /** `action rule path message` of each finding, sorted, duplicates removed. */
  readonly findings: readonly string[];
}

const keyOf = (action: string, finding: Pick<ReportedViolation, 'rule' | 'path' | 'message'>): string => `${action} ${finding.rule} ${finding.path} ${finding.message}`;

/**
 * A webhook line is `[rule] path: message` or, for a warning too long for 120
 * characters, `[rule] message`; it is matched to the check finding it renders.
 */
function lineKey(action: string, line: string, expected: readonly ReportedViolation[]): string {
  const match = /^\[([a-z0-9-]+)\] (.*)$/.exec(line);
  const [, rule = '', text = ''] = match ?? [];
  const finding = expected.find((f) => f.rule === rule && f.action === action && (text === `${f.path}: ${f.message}` || text === f.message));
  return finding === undefined ? `unmatched ${action} ${line}` : keyOf(action, finding);
}

function webhookOutcome(response: AdmissionResponse, expected: readonly ReportedViolation[]): Outcome {
  const denials = response.status?.code === 403 ? response.status.message.split('\n') : [];
  const findings = [...denials.map((line) => lineKey('deny', line, expected)), ...(response.warnings ?? []).map((line) => lineKey('warn', line, expected))];
  return { allowed: response.allowed, findings: [...new Set(findings)].sort() };
}

function checkResult(entry: Case, policy: Policy): ReturnType<typeof buildReport>['results'][number] {
  const batch = evaluateBatch([{ name: entry.fixture.path, objects: entry.objects }], { rules: RULES, policy, namespace: CHECK_NAMESPACE, now: NOW, viewOf: manifestView });
  const result = buildReport(batch).results[0];
  if (result === undefined) throw new Error(`${entry.label}: check reported no object`);
  expect(result.failures).toEqual([]);
  return result;
}

function checkOutcome(entry: Case, policy: Policy): Outcome {
  const result = checkResult(entry, policy);
  const findings = result.violations.filter((violation) => violation.action !== 'audit').map((violation) => keyOf(violation.action, violation));
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
  ['the default policy', defaultPolicy(RULES)],
  ['every rule on deny', ALL_DENY],
])('webhook and check agree under %s', (_policyName, policy) => {
  it.each(CASES.map((entry) => [entry.label, entry] as const))('on %s', async (_label, entry) => {
    const response = await webhookVerdict(entry, policy);
    expect(response.warnings ?? []).not.toContainEqual(expect.stringMatching(/^\[kube-guardrails\]/));
    expect(webhookOutcome(response, checkResult(entry, policy).violations)).toEqual(checkOutcome(entry, policy));
  });
});

describe('the parity corpus', () => {
  it('covers NetworkPolicies, Pods and workloads, passing and failing, allowed and denied', () => {
    const kinds = new Set(CASES.map((entry) => entry.subject.kind));
    for (const kind of ['NetworkPolicy', 'Pod', 'Deployment', 'DaemonSet', 'CronJob']) expect(kinds).toContain(kind);
    expect(CASES.filter((entry) => entry.fixture.outcome === 'pass').length).toBeGreaterThan(10);
    expect(CASES.filter((entry) => entry.fixture.outcome === 'fail').length).toBeGreaterThan(20);
    const allowed = CASES.map((entry) => checkOutcome(entry, defaultPolicy(RULES)).allowed);
    expect(allowed).toContain(true);
    expect(allowed).toContain(false);
  });

  it('takes every fixture of every rule whose first document is a kind the webhook registers', () => {
    const all = RULES.filter((rule) => rule.manifestOnly !== true).flatMap((rule) => listFixtures(RULES_DIRECTORY, rule.id));
    const skipped = all.filter((fixture) => !CASES.some((entry) => entry.fixture.path === fixture.path));
    for (const fixture of skipped) expect(isWebhookKind(parseManifests(fixture.text, fixture.path)[0]?.object as JsonObject)).toBe(false);
    expect(CASES.length + skipped.length).toBe(all.length);
  });
});
