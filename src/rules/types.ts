/**
 * The rule contract. A rule is a pure function of the object under review and a
 * read-only view of the cluster; it returns findings (data) and never throws on
 * purpose. Its id is public: config key, message prefix, SARIF rule id, metrics label.
 */
import type { z } from 'zod';
import type { NetworkPolicyModel } from '../core/kubernetes/network-policy.js';
import type { Subject, SubjectKind } from '../core/kubernetes/subject.js';

export type Action = 'deny' | 'warn' | 'audit' | 'off';
export const ACTIONS: readonly Action[] = ['deny', 'warn', 'audit', 'off'];

/** What the cluster holds besides the object under review. */
export interface ClusterView {
  /** NetworkPolicies of a namespace, or undefined when this view cannot know them. */
  networkPolicies(namespace: string): readonly NetworkPolicyModel[] | undefined;
}

export interface Finding {
  /** Where, in the user's own object, e.g. `spec.ingress[0].from[1].ipBlock.cidr`. */
  readonly path: string;
  /** One or two sentences: what is wrong, the offending value, and how to fix it. */
  readonly message: string;
}

export interface RuleContext<Params> {
  readonly params: Params;
  readonly view: ClusterView;
}

export interface Rule<Params = unknown> {
  readonly id: string;
  readonly description: string;
  readonly remediation: string;
  readonly defaultAction: Exclude<Action, 'off'>;
  readonly appliesTo: readonly SubjectKind[];
  /** Parameters a policy file may set, with their defaults; a strict object schema. */
  readonly params: z.ZodType<Params>;
  check(subject: Subject, context: RuleContext<Params>): readonly Finding[];
}

/** Erases a rule's parameter type for the registry; the engine passes parsed params back in. */
export function defineRule<Params>(rule: Rule<Params>): Rule {
  return rule;
}
