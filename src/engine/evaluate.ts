/**
 * The engine: a rule set, one object, one policy, one view of the cluster → one
 * verdict. Pure. The webhook, `check` and the docs all call this with the rule set the
 * program was composed with, so they give the same verdicts.
 *
 * | finding's rule action | enforcement: enforce | enforcement: audit |
 * |-----------------------|----------------------|--------------------|
 * | deny                  | deny (not allowed)   | warn               |
 * | warn                  | warn                 | warn               |
 * | audit                 | audit                | audit              |
 * | off                   | rule not run         | rule not run       |
 *
 * A matching exemption waives a finding unless it has expired; an expired one is
 * reported with the finding it no longer waives. A rule that throws is recorded as a
 * failure; policy.onError decides whether that denies (never in audit enforcement).
 *
 * An UPDATE is judged on what it changes: a finding the stored object already has (same
 * rule, path and value) is marked `preexisting` and never refuses (a deny becomes a warn),
 * so objects admitted before a rule or in audit mode can still be relabelled, annotated
 * or stripped of finalizers. `updates: strict` in the policy judges updates as creates.
 */
import { viewWith, viewWithout } from '../cluster/view-overlay.js';
import type { ModelCache } from '../core/kubernetes/network-policy.js';
import { readSubject, type Subject } from '../core/kubernetes/subject.js';
import { arrayOf, field, recordOf, renderPath, type FieldPath, type JsonRecord } from '../core/kubernetes/shape.js';
import { describeError } from '../errors.js';
import type { Exemption, Policy, Requester } from '../policy/policy.js';
import type { Action, ClusterView, Finding, ObjectSource, Rule } from '../rules/types.js';

export type EffectiveAction = Exclude<Action, 'off'>;

export interface Violation {
  readonly rule: string;
  readonly action: EffectiveAction;
  /** The action the rule has on a new object under `enforcement: enforce`, when audit enforcement or a preexisting finding softened it. */
  readonly enforcedAction?: EffectiveAction;
  /** The stored object already had this finding: the update did not cause it. */
  readonly preexisting?: true;
  readonly finding: Finding;
  /** An exemption that would waive this finding but expired. */
  readonly expiredExemption?: { readonly name: string; readonly expires: string };
}

export interface WaivedFinding {
  readonly rule: string;
  readonly finding: Finding;
  readonly exemption: string;
  readonly reason: string;
  readonly expires?: string;
}

export interface RuleFailure {
  readonly rule: string;
  readonly message: string;
  readonly error: unknown;
}

export interface Verdict {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** False for kinds no rule judges (a ConfigMap, a Calico NetworkPolicy). */
  readonly judged: boolean;
  readonly allowed: boolean;
  readonly violations: readonly Violation[];
  readonly waived: readonly WaivedFinding[];
  readonly failures: readonly RuleFailure[];
  /** Whether the failures alone refuse the object (onError deny under enforce). */
  readonly failuresDeny: boolean;
}

export interface EvaluationContext {
  readonly policy: Policy;
  readonly view: ClusterView;
  /** Epoch milliseconds, for exemption expiry. */
  readonly now: number;
  /** Namespace for objects that name none (kubectl's -n). */
  readonly defaultNamespace: string;
  readonly requester?: Requester;
  /** The stored object an UPDATE changes; its findings do not refuse the change. */
  readonly previous?: JsonRecord;
  /** How the object was read from a manifest, when it was (`check`). */
  readonly source?: ObjectSource;
  /** The object is being deleted: only rules that judge deletions run, and nothing refuses it. */
  readonly deletion?: true;
  /** NetworkPolicy models the view was built from, so the object under review is the view's own model (`check`). */
  readonly models?: ModelCache;
}

/** A view that knows nothing of the cluster: rules that need it skip. */
export const NO_VIEW: ClusterView = { networkPolicies: () => undefined, pods: () => undefined, namespaces: () => undefined };

interface Judgement {
  readonly violations: Violation[];
  readonly waived: WaivedFinding[];
}

interface FindingInput {
  readonly rule: Rule;
  readonly finding: Finding;
  readonly action: EffectiveAction;
  readonly exemptions: readonly Exemption[];
  readonly preexisting: boolean;
}

/** An exemption applies up to, not including, its expiry instant. */
function isLive(exemption: Exemption, now: number): boolean {
  return exemption.expiresAt === undefined || now < exemption.expiresAt;
}

function violationOf({ rule, finding, action, preexisting }: FindingInput, context: EvaluationContext, expired: Exemption | undefined): Violation {
  const softened = action === 'deny' && (preexisting || context.policy.enforcement === 'audit');
  const violation: { -readonly [K in keyof Violation]: Violation[K] } = { rule: rule.id, action: softened ? 'warn' : action, finding };
  if (softened) violation.enforcedAction = action;
  if (preexisting) violation.preexisting = true;
  if (expired?.expires !== undefined) violation.expiredExemption = { name: expired.name, expires: expired.expires };
  return violation;
}

function judgeFinding(input: FindingInput, context: EvaluationContext): Judgement {
  const live = input.exemptions.find((exemption) => isLive(exemption, context.now));
  if (live === undefined) return { violations: [violationOf(input, context, input.exemptions[0])], waived: [] };
  const waived: { -readonly [K in keyof WaivedFinding]: WaivedFinding[K] } = { rule: input.rule.id, finding: input.finding, exemption: live.name, reason: live.reason };
  if (live.expires !== undefined) waived.expires = live.expires;
  return { violations: [], waived: [waived] };
}

/** Whether an ownerReference marks the object as made by a controller (a ReplicaSet's Pod). */
function isControlled(object: JsonRecord): boolean {
  const references = arrayOf(field(recordOf(field(object, 'metadata')), 'ownerReferences')) ?? [];
  return references.some((reference) => field(recordOf(reference), 'controller') === true);
}

function matchingExemptions(rule: Rule, subject: Subject, context: EvaluationContext): Exemption[] {
  const target = {
    namespace: subject.namespace,
    labels: subject.labels,
    controlled: isControlled(subject.object),
    ...(context.requester ? { requester: context.requester } : {}),
  };
  return context.policy.exemptions.filter((exemption) => exemption.rules.includes(rule.id) && exemption.appliesTo(target));
}

interface Collected {
  readonly violations: Violation[];
  readonly waived: WaivedFinding[];
  readonly failures: RuleFailure[];
}

/** Judges `subject` in `context.view`: the cluster with the subject in place (or, for a deletion, without it). */
function findingsOf(rule: Rule, subject: Subject, context: EvaluationContext, params: unknown): readonly Finding[] {
  if (subject.judgedAs === 'Other') return [];
  const ruleContext = { params, view: context.view, internet: context.policy.internet };
  if (context.deletion === true) {
    return rule.deletion !== undefined && rule.deletion.appliesTo.includes(subject.judgedAs) ? rule.deletion.check(subject, ruleContext) : [];
  }
  if (!rule.appliesTo.includes(subject.judgedAs)) return [];
  return rule.check(subject, context.source === undefined ? ruleContext : { ...ruleContext, source: context.source });
}

/** Same rule, same field, same value: the finding an UPDATE did not cause. */
function findingKey(rule: Rule, finding: Finding): string {
  return `${rule.id}\u0000${renderPath(finding.path)}\u0000${finding.value ?? finding.summary}`;
}

/** The findings the stored object has, as keys; a rule that throws on it contributes none. */
function previousFindings(rules: readonly Rule[], context: EvaluationContext): ReadonlySet<string> {
  const keys = new Set<string>();
  if (context.previous === undefined || context.policy.updates === 'strict') return keys;
  const previous = readSubject(context.previous, context.defaultNamespace);
  const view = viewWith(context.view, previous);
  for (const rule of rules) {
    const setting = context.policy.rules.get(rule.id);
    if (setting === undefined || setting.action === 'off') continue;
    try {
      for (const finding of findingsOf(rule, previous, { ...context, view }, setting.params)) keys.add(findingKey(rule, finding));
    } catch {
      // Judged on the new object alone: the failure, if it persists, is recorded there.
    }
  }
  return keys;
}

/**
 * Findings kept per rule and object. A legal object can hold 100,000 rules or peers, and
 * each finding is carried through to warnings, logs and reports: past the cap, one
 * finding counts the rest. With the rule set fixed, this bounds a review too.
 */
export const MAX_FINDINGS_PER_RULE = 20;

function commonPrefix(paths: readonly FieldPath[]): FieldPath {
  let prefix: FieldPath = paths[0] ?? [];
  for (const path of paths) {
    let length = 0;
    while (length < prefix.length && length < path.length && prefix[length] === path[length]) length++;
    if (length < prefix.length) prefix = prefix.slice(0, length);
  }
  return prefix;
}

function omittedFinding(omitted: readonly Finding[]): Finding {
  const fixes = new Set(omitted.map((finding) => finding.fix));
  return {
    path: commonPrefix(omitted.map((finding) => finding.path)),
    summary: `${omitted.length.toLocaleString('en-US')} more findings of this rule, not listed one by one`,
    fix: fixes.size === 1 ? (omitted[0] as Finding).fix : 'Fix the findings listed, then judge the object again to list the rest.',
    details: { omittedFindings: omitted.length },
  };
}

interface KeptFinding {
  readonly finding: Finding;
  readonly preexisting: boolean;
}

/** At most MAX_FINDINGS_PER_RULE; the count of the rest is preexisting only if all of them are. */
function keptFindings(rule: Rule, findings: readonly Finding[], context: RunContext): KeptFinding[] {
  const isPreexisting = (finding: Finding): boolean => context.previousKeys().has(findingKey(rule, finding));
  if (findings.length <= MAX_FINDINGS_PER_RULE) return findings.map((finding) => ({ finding, preexisting: isPreexisting(finding) }));
  const listed = findings.slice(0, MAX_FINDINGS_PER_RULE - 1);
  const omitted = findings.slice(MAX_FINDINGS_PER_RULE - 1);
  return [...listed.map((finding) => ({ finding, preexisting: isPreexisting(finding) })), { finding: omittedFinding(omitted), preexisting: omitted.every(isPreexisting) }];
}

/** Runs one rule; a throw is our bug, recorded as a failure rather than propagated. */
function runRule(rule: Rule, subject: Subject, context: RunContext, collected: Collected): void {
  const setting = context.policy.rules.get(rule.id);
  if (setting === undefined || setting.action === 'off') return;
  let findings: readonly Finding[];
  try {
    findings = findingsOf(rule, subject, { ...context, view: context.subjectView }, setting.params);
  } catch (error: unknown) {
    collected.failures.push({ rule: rule.id, message: describeError(error), error });
    return;
  }
  if (findings.length === 0) return;
  const exemptions = matchingExemptions(rule, subject, context);
  for (const { finding, preexisting } of keptFindings(rule, findings, context)) {
    const judgement = judgeFinding({ rule, finding, action: setting.action, exemptions, preexisting }, context);
    collected.violations.push(...judgement.violations);
    collected.waived.push(...judgement.waived);
  }
}

interface RunContext extends EvaluationContext {
  /** The view the subject is judged in. */
  readonly subjectView: ClusterView;
  /** The stored object's findings, judged only once the new object has a finding to compare. */
  readonly previousKeys: () => ReadonlySet<string>;
}

/** A deletion is never refused: what would deny is said as a warning. */
function asDeletionWarning(violation: Violation): Violation {
  return violation.action === 'deny' ? { ...violation, action: 'warn', enforcedAction: 'deny' } : violation;
}

/**
 * Judges `object`: as created or updated, or, with `context.deletion`, as deleted (the
 * stored object, judged in the view without it).
 */
export function evaluate(rules: readonly Rule[], object: JsonRecord, context: EvaluationContext): Verdict {
  const subject = readSubject(object, context.defaultNamespace, context.models);
  const collected: Collected = { violations: [], waived: [], failures: [] };
  let previous: ReadonlySet<string> | undefined;
  // Most updates (kubelet status, controllers) have no finding at all: the stored object is then never judged.
  const previousKeys = (): ReadonlySet<string> => (previous ??= previousFindings(rules, context));
  const subjectView = context.deletion === true ? viewWithout(context.view, subject) : viewWith(context.view, subject);
  const run: RunContext = { ...context, previousKeys, subjectView };
  for (const rule of rules) runRule(rule, subject, run, collected);
  const { waived, failures } = collected;
  const violations = context.deletion === true ? collected.violations.map(asDeletionWarning) : collected.violations;
  const failuresDeny = context.deletion !== true && failures.length > 0 && context.policy.onError === 'deny' && context.policy.enforcement === 'enforce';
  const denied = failuresDeny || violations.some((violation) => violation.action === 'deny');
  return {
    apiVersion: subject.apiVersion,
    kind: subject.kind,
    namespace: subject.namespace,
    name: subject.name,
    judged: subject.judgedAs !== 'Other',
    allowed: !denied,
    violations,
    waived,
    failures,
    failuresDeny,
  };
}
