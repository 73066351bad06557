/**
 * A policy compiled from its file: validated against the schema and each rule's
 * parameter schema, then frozen. Parsing is pure; reading the file is the caller's job.
 */
import picomatch from 'picomatch';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { YAML_OPTIONS, YAML_TO_JS, yamlErrorText } from '../manifests/yaml-error-text.js';
import { readLabelSelector, selectorMatches, type Labels, type LabelSelector } from '../core/kubernetes/label-selector.js';
import { isWorkloadController } from '../core/kubernetes/kinds.js';
import { GuardrailsError } from '../errors.js';
import { internetShares } from '../rules/shared/internet.js';
import type { Action, InternetShares, Rule } from '../rules/types.js';
import { actionSchema, policyFileSchema, type ExemptionSpec } from './schema.js';

interface RuleSetting {
  readonly action: Action;
  readonly params: unknown;
}

export interface Exemption {
  readonly name: string;
  readonly rules: readonly string[];
  readonly reason: string;
  readonly expires?: string;
  /** Epoch milliseconds from which the exemption no longer applies. */
  readonly expiresAt?: number;
  readonly appliesTo: (target: ExemptionTarget) => boolean;
}

interface ExemptionTarget {
  readonly namespace: string;
  readonly labels: Labels;
  readonly requester?: Requester;
  /** The object has a controller ownerReference (a Pod of a ReplicaSet, a Job of a CronJob). */
  readonly controlled?: boolean;
}

export interface Requester {
  readonly username: string;
  readonly groups: readonly string[];
}

export interface Policy {
  readonly enforcement: 'enforce' | 'audit';
  readonly onError: 'deny' | 'allow';
  /** changed: an UPDATE is refused only for findings it causes; strict: judged as a CREATE. */
  readonly updates: 'changed' | 'strict';
  readonly rules: ReadonlyMap<string, RuleSetting>;
  readonly exemptions: readonly Exemption[];
  /** What "the internet" is, per direction, for the world and broad-CIDR rules. */
  readonly internet: InternetShares;
  /** What is legal but unsafe in this policy (self-service exemptions); the shells print and count these. */
  readonly warnings: readonly string[];
}

/** A policy that cannot be compiled: code KG_BAD_POLICY, each problem naming its key. */
function policyError(problems: readonly string[]): GuardrailsError {
  return new GuardrailsError('KG_BAD_POLICY', problems.join('; '), { problems });
}

type Issue = z.core.$ZodIssue;

/** A policy key as the file spells it: `rules.pod-host-port.allowedRanges[0]`. */
function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text === '' ? String(key) : `${text}.${String(key)}`), '');
}

function describeIssues(issues: readonly Issue[], prefix: readonly PropertyKey[]): string[] {
  return issues.map((issue) => {
    const path = formatPath([...prefix, ...issue.path]);
    return path === '' ? issue.message : `${path}: ${issue.message}`;
  });
}

function compileRule(rule: Rule, raw: Record<string, unknown> | undefined, problems: string[]): RuleSetting {
  const { action: rawAction, ...rawParams } = raw ?? {};
  const action = actionSchema.safeParse(rawAction ?? rule.defaultAction);
  if (!action.success) problems.push(...describeIssues(action.error.issues, ['rules', rule.id, 'action']));
  const params = rule.params.safeParse(rawParams);
  if (!params.success) problems.push(...describeIssues(params.error.issues, ['rules', rule.id]));
  return Object.freeze({
    action: (action.success ? action.data : rule.defaultAction) as Action,
    params: Object.freeze(params.success ? params.data : undefined),
  });
}

/** End of the named day in UTC for a bare date; the instant itself for a time. */
function expiryInstant(expires: string): number {
  return expires.length === 10 ? Date.parse(`${expires}T00:00:00Z`) + 86_400_000 : Date.parse(expires);
}

/**
 * Who asks. A workload controller creating a controlled object from a template asks on
 * behalf of whoever applied the workload; with `workloadPods` it matches too, since the
 * workload itself was judged at apply under its real requester.
 */
function matchesRequester(spec: ExemptionSpec, target: ExemptionTarget): boolean {
  if (spec.usernames.length === 0 && spec.groups.length === 0) return true;
  const { requester } = target;
  if (requester === undefined) return false;
  if (spec.workloadPods && target.controlled === true && isWorkloadController(requester.username)) return true;
  return spec.usernames.includes(requester.username) || spec.groups.some((group) => requester.groups.includes(group));
}

function exemptionProblems(spec: ExemptionSpec, index: number, expiresAt: number | undefined, known: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const unknown = spec.rules.filter((id) => !known.has(id));
  if (unknown.length > 0) problems.push(`exemptions[${index}].rules: unknown rule ${unknown.map((id) => `"${id}"`).join(', ')}`);
  const scoped = spec.namespaces.length + spec.usernames.length + spec.groups.length > 0 || spec.objectSelector !== undefined;
  if (!scoped) problems.push(`exemptions[${index}]: name at least one of namespaces, objectSelector, usernames or groups (to switch a rule off everywhere, set its action to off)`);
  if (spec.workloadPods && spec.usernames.length + spec.groups.length === 0) problems.push(`exemptions[${index}].workloadPods: goes with usernames or groups (it extends who may ask to the workload controllers)`);
  if (expiresAt !== undefined && Number.isNaN(expiresAt)) problems.push(`exemptions[${index}].expires: not a real date: ${spec.expires ?? ''}`);
  return problems;
}

function compileExemption(spec: ExemptionSpec, index: number, known: ReadonlySet<string>, problems: string[]): Exemption {
  const expiresAt = spec.expires === undefined ? undefined : expiryInstant(spec.expires);
  problems.push(...exemptionProblems(spec, index, expiresAt, known));
  const namespaceMatches = spec.namespaces.length === 0 ? () => true : picomatch(spec.namespaces, { dot: true });
  const selector: LabelSelector | undefined = spec.objectSelector === undefined ? undefined : readLabelSelector(spec.objectSelector);
  return Object.freeze({
    name: spec.name,
    rules: Object.freeze([...spec.rules]),
    reason: spec.reason,
    ...(spec.expires === undefined ? {} : { expires: spec.expires, expiresAt }),
    appliesTo: (target: ExemptionTarget) =>
      namespaceMatches(target.namespace) &&
      (selector === undefined || selectorMatches(selector, target.labels)) &&
      matchesRequester(spec, target),
  });
}

const GLOB = /[*?[\]{}!]/;

/**
 * Exemptions a requester could grant herself: one that matches only the object's own
 * labels (whoever may write the object may add the label), or namespaces by a glob
 * without naming who asks (whoever may create a namespace may pick a matching name).
 */
function selfServiceWarnings(spec: ExemptionSpec, index: number): string[] {
  const where = `exemptions[${index}] (${JSON.stringify(spec.name)})`;
  const scopedToRequester = spec.usernames.length + spec.groups.length > 0;
  const warnings: string[] = [];
  if (spec.objectSelector !== undefined && spec.namespaces.length === 0 && !scopedToRequester) {
    warnings.push(`${where} matches only the object's own labels, so anyone who may write such an object can exempt it; add namespaces, usernames or groups`);
  }
  const globs = spec.namespaces.filter((namespace) => GLOB.test(namespace));
  if (globs.length > 0 && !scopedToRequester) {
    warnings.push(`${where} matches namespaces by the glob ${globs.map((glob) => JSON.stringify(glob)).join(', ')}, so anyone who may create a namespace with a matching name is exempt; list the namespaces by name, or add usernames or groups`);
  }
  return warnings;
}

function unknownRuleProblems(ids: readonly string[], known: ReadonlySet<string>): string[] {
  return ids.filter((id) => !known.has(id)).map((id) => `rules.${id}: unknown rule (known rules: ${[...known].join(', ')})`);
}

/** Validates and freezes a policy for a rule set from an already-parsed value (YAML or JSON). */
export function compilePolicy(raw: unknown, ruleSet: readonly Rule[]): Policy {
  const parsed = policyFileSchema.safeParse(raw ?? {});
  if (!parsed.success) throw policyError(describeIssues(parsed.error.issues, []));
  const file = parsed.data;
  const known = new Set(ruleSet.map((rule) => rule.id));
  const problems = unknownRuleProblems(Object.keys(file.rules), known);
  const rules = new Map(ruleSet.map((rule) => [rule.id, compileRule(rule, file.rules[rule.id], problems)]));
  const exemptions = file.exemptions.map((spec, i) => compileExemption(spec, i, known, problems));
  if (problems.length > 0) throw policyError(problems);
  return Object.freeze({
    enforcement: file.enforcement,
    onError: file.onError,
    updates: file.updates,
    rules,
    exemptions: Object.freeze(exemptions),
    internet: internetShares(ruleSet, rules, file.internet.minPublicShare),
    warnings: Object.freeze(file.exemptions.flatMap(selfServiceWarnings)),
  });
}

/** Parses policy text (YAML or JSON) for a rule set; YAML errors carry line and column. */
export function parsePolicy(text: string, ruleSet: readonly Rule[]): Policy {
  const document = parseDocument(text, YAML_OPTIONS);
  if (document.errors.length > 0) {
    throw policyError(document.errors.map((error) => `line ${error.linePos?.[0].line ?? '?'}: ${yamlErrorText(error.message)}`));
  }
  let value: unknown;
  try {
    value = document.toJS(YAML_TO_JS);
  } catch (error: unknown) {
    throw policyError([(error as Error).message]);
  }
  return compilePolicy(value, ruleSet);
}

/** The built-in policy: every rule at its default action and parameters. */
export function defaultPolicy(ruleSet: readonly Rule[]): Policy {
  return compilePolicy({}, ruleSet);
}
