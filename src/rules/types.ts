/**
 * The rule contract. A rule is a pure function of the object under review and a
 * read-only view of the cluster; it returns findings (data) and never throws on
 * purpose. Its id is public: config key, message prefix, SARIF rule id, report rule,
 * metrics label. Findings are rendered into words only at the edges.
 */
import type { z } from 'zod';
import type { JudgedKind } from '../core/kubernetes/kinds.js';
import type { Direction, NetworkPolicyModel } from '../core/kubernetes/network-policy.js';
import type { Labels } from '../core/kubernetes/label-selector.js';
import type { FieldPath } from '../core/kubernetes/shape.js';
import type { SubjectOf } from '../core/kubernetes/subject.js';

export type Action = 'deny' | 'warn' | 'audit' | 'off';
export const ACTIONS: readonly Action[] = ['deny', 'warn', 'audit', 'off'];

/** A Pod or a Namespace as the view keeps it: its name and labels, nothing more. */
export interface LabelledEntry {
  readonly name: string;
  readonly labels: Labels;
}

/**
 * What the cluster holds, with the object under review in place of its stored version
 * (the engine places it). Each answer is undefined when this view cannot know it: `check`
 * knows only its input, a webhook without a synced cluster view knows nothing, and rules
 * that need an unknown answer skip rather than guess.
 */
export interface ClusterView {
  /** NetworkPolicies of a namespace. */
  networkPolicies(namespace: string): readonly NetworkPolicyModel[] | undefined;
  /** Pods of a namespace that exist now (labels only). */
  pods(namespace: string): readonly LabelledEntry[] | undefined;
  /** Every namespace that exists, with its labels. */
  namespaces(): readonly LabelledEntry[] | undefined;
}

export type DetailValue = string | number | boolean | readonly string[];

export interface Finding {
  /** Where, in the user's own object: ['spec', 'ingress', 0, 'from', 1, 'ipBlock', 'cidr']. */
  readonly path: FieldPath;
  /** One line of at most 100 characters: what is wrong, naming the offending value. No final period. */
  readonly summary: string;
  /** One sentence: how to fix it. */
  readonly fix: string;
  /** The offending value as the user wrote it, e.g. `1.2.3.4/0`. */
  readonly value?: string;
  /** What the value means, when that differs from how it is written, e.g. `0.0.0.0/0`. */
  readonly equivalent?: string;
  /** Counts, shares and the other objects involved; shown in JSON, SARIF properties and reports. */
  readonly details?: Readonly<Record<string, DetailValue>>;
}

/**
 * One notion of "the internet" for the whole policy: per direction, the share of public
 * IPv4 or IPv6 addresses from which the world rule of that direction reports, or
 * undefined when that rule is off. The world and broad-CIDR rules both read it, so no
 * threshold can leave a range between them unreported.
 */
export type InternetShares = Readonly<Record<Direction, number | undefined>>;

/**
 * A key whose value kubectl drops without a word while reading a manifest: written twice
 * in one mapping, or replaced by a `<<` merge key. Only `check` reads manifests; at
 * admission the API server has already decoded the object.
 */
export interface ReplacedKey {
  /** The key's field path in the object. */
  readonly path: FieldPath;
  /** The line of the value kubectl drops. */
  readonly droppedLine: number;
  /** The line of the value kubectl keeps. */
  readonly keptLine: number;
  /** Whether a `<<` merge key, rather than a second copy of the key, replaced it. */
  readonly byMerge: boolean;
  /**
   * The two keys differ in YAML (`on` and "true") but are one key in JSON: kubectl keeps
   * either value, in no defined order. The object holds the later one.
   */
  readonly eitherKept?: true;
}

/** How the object was read from its source, when it came from a manifest. */
export interface ObjectSource {
  readonly replacedKeys: readonly ReplacedKey[];
}

interface RuleContext<Params> {
  readonly params: Params;
  readonly view: ClusterView;
  readonly internet: InternetShares;
  /** Present for objects read from manifests (`check`), absent at admission. */
  readonly source?: ObjectSource;
}

export interface Rule<Params = unknown, Kind extends JudgedKind = JudgedKind> {
  readonly id: string;
  readonly description: string;
  readonly remediation: string;
  readonly defaultAction: Exclude<Action, 'off'>;
  readonly appliesTo: readonly Kind[];
  /** Parameters a policy file may set, with their defaults; a strict object schema. */
  readonly params: z.ZodType<Params>;
  /** Set by a rule that reads how a manifest was written (RuleContext.source): it reports in `check`, never at admission. */
  readonly manifestOnly?: true;
  /** Set by the rule that reports the internet in this direction; its action and `minPublicShare` shape InternetShares. */
  readonly reportsInternet?: Direction;
  check(subject: SubjectOf<Kind>, context: RuleContext<Params>): readonly Finding[];
  /**
   * Judges the DELETE of an object of these kinds, in the view without it. A deletion is
   * never refused: its findings are warnings whatever the rule's action.
   */
  readonly deletion?: {
    readonly appliesTo: readonly JudgedKind[];
    check(subject: SubjectOf<JudgedKind>, context: RuleContext<Params>): readonly Finding[];
  };
}

/** Erases a rule's parameter and kind types for the registry; the engine passes parsed params and matching subjects back in. */
export function defineRule<Params, Kind extends JudgedKind>(rule: Rule<Params, Kind>): Rule {
  return rule as unknown as Rule;
}
