/**
 * The engine: one object, one policy, one view of the cluster → one verdict. Pure.
 * The webhook and `check` both call this, so they give the same verdicts.
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
 */
import { readSubject, type Subject } from '../core/kubernetes/subject.js';
import type { JsonRecord } from '../core/kubernetes/shape.js';
import type { Exemption, Policy, Requester } from '../policy/policy.js';
import { RULES } from '../rules/index.js';
import type { Action, ClusterView, Finding, Rule } from '../rules/types.js';

export type EffectiveAction = Exclude<Action, 'off'>;

export interface Violation {
  readonly rule: string;
  readonly action: EffectiveAction;
  readonly path: string;
  readonly message: string;
  /** An exemption that would waive this finding but expired. */
  readonly expiredExemption?: { readonly name: string; readonly expires: string };
}

export interface WaivedFinding {
  readonly rule: string;
  readonly path: string;
  readonly message: string;
  readonly exemption: string;
  readonly reason: string;
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
}

const NO_VIEW: ClusterView = { networkPolicies: () => undefined };

function effectiveAction(action: EffectiveAction, policy: Policy): EffectiveAction {
  return action === 'deny' && policy.enforcement === 'audit' ? 'warn' : action;
}

interface Judgement {
  readonly violations: Violation[];
  readonly waived: WaivedFinding[];
}

interface FindingInput {
  readonly rule: Rule;
  readonly finding: Finding;
  readonly action: EffectiveAction;
  readonly exemptions: readonly Exemption[];
}

function judgeFinding({ rule, finding, action, exemptions }: FindingInput, context: EvaluationContext): Judgement {
  const live = exemptions.find((exemption) => exemption.expiresAt === undefined || context.now < exemption.expiresAt);
  if (live !== undefined) {
    return { violations: [], waived: [{ rule: rule.id, path: finding.path, message: finding.message, exemption: live.name, reason: live.reason }] };
  }
  const expired = exemptions[0];
  const violation: Violation = {
    rule: rule.id,
    action: effectiveAction(action, context.policy),
    path: finding.path,
    message: finding.message,
    ...(expired?.expires === undefined ? {} : { expiredExemption: { name: expired.name, expires: expired.expires } }),
  };
  return { violations: [violation], waived: [] };
}

function matchingExemptions(rule: Rule, subject: Subject, context: EvaluationContext): Exemption[] {
  const target = { namespace: subject.namespace, labels: subject.labels, ...(context.requester ? { requester: context.requester } : {}) };
  return context.policy.exemptions.filter((exemption) => exemption.rules.includes(rule.id) && exemption.appliesTo(target));
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

interface Collected {
  readonly violations: Violation[];
  readonly waived: WaivedFinding[];
  readonly failures: RuleFailure[];
}

/** Runs one rule; a throw is our bug, recorded as a failure rather than propagated. */
function runRule(rule: Rule, subject: Subject, context: EvaluationContext, collected: Collected): void {
  const setting = context.policy.rules.get(rule.id);
  if (setting === undefined || setting.action === 'off' || !rule.appliesTo.includes(subject.subjectKind)) return;
  let findings: readonly Finding[];
  try {
    findings = rule.check(subject, { params: setting.params, view: context.view });
  } catch (error: unknown) {
    collected.failures.push({ rule: rule.id, message: describeError(error), error });
    return;
  }
  if (findings.length === 0) return;
  const exemptions = matchingExemptions(rule, subject, context);
  for (const finding of findings) {
    const judgement = judgeFinding({ rule, finding, action: setting.action, exemptions }, context);
    collected.violations.push(...judgement.violations);
    collected.waived.push(...judgement.waived);
  }
}

export function evaluate(object: JsonRecord, context: EvaluationContext): Verdict {
  const subject = readSubject(object, context.defaultNamespace);
  const collected: Collected = { violations: [], waived: [], failures: [] };
  for (const rule of RULES) runRule(rule, subject, context, collected);
  const { violations, waived, failures } = collected;
  const failureDenies = failures.length > 0 && context.policy.onError === 'deny' && context.policy.enforcement === 'enforce';
  const denied = failureDenies || violations.some((violation) => violation.action === 'deny');
  return {
    apiVersion: subject.apiVersion,
    kind: subject.kind,
    namespace: subject.namespace,
    name: subject.name,
    judged: subject.subjectKind !== 'Other',
    allowed: !denied,
    violations,
    waived,
    failures,
    failuresDeny: failureDenies,
  };
}

export { NO_VIEW };
