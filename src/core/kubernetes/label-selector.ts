/**
 * metav1.LabelSelector with apimachinery's semantics: matchLabels AND matchExpressions;
 * `In`, `NotIn` (which also matches objects lacking the key), `Exists`, `DoesNotExist`.
 * `{}`, `{matchLabels: {}}`, `{matchExpressions: []}` and an absent selector are all the
 * empty selector, which matches everything.
 */
import { forbidden, invalid, required, unsupported, type FieldError } from './field-errors.js';
import { labelValueErrors, qualifiedNameErrors } from './names.js';
import { arrayOf, field, fieldPath, indexPath, isRecord, recordOf, stringOf, type FieldPath } from './shape.js';

export type Labels = Readonly<Record<string, string>>;

export const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

export interface SelectorRequirement {
  readonly key: string;
  /** As written; anything other than the four operators never matches. */
  readonly operator: string;
  readonly values: readonly string[];
}

export interface LabelSelector {
  /** matchLabels entries become `In` requirements with one value. */
  readonly requirements: readonly SelectorRequirement[];
}

export const MATCH_EVERYTHING: LabelSelector = { requirements: [] };

function requirementFromExpression(raw: unknown): SelectorRequirement {
  const record = recordOf(raw);
  const values = (arrayOf(field(record, 'values')) ?? []).filter((v): v is string => typeof v === 'string');
  return {
    key: stringOf(field(record, 'key')) ?? '',
    operator: stringOf(field(record, 'operator')) ?? '',
    values,
  };
}

/** Reads a selector from untrusted input; validation reports what is malformed. */
export function readLabelSelector(raw: unknown): LabelSelector {
  const record = recordOf(raw);
  const requirements: SelectorRequirement[] = [];
  const matchLabels = recordOf(field(record, 'matchLabels'));
  for (const key in matchLabels) {
    if (!Object.prototype.hasOwnProperty.call(matchLabels, key)) continue;
    const value = matchLabels[key];
    requirements.push({ key, operator: 'In', values: [typeof value === 'string' ? value : String(value)] });
  }
  for (const expression of arrayOf(field(record, 'matchExpressions')) ?? []) {
    requirements.push(requirementFromExpression(expression));
  }
  return { requirements };
}

export function isEmptySelector(selector: LabelSelector): boolean {
  return selector.requirements.length === 0;
}

function requirementMatches(requirement: SelectorRequirement, labels: Labels): boolean {
  const present = Object.prototype.hasOwnProperty.call(labels, requirement.key);
  const value = present ? labels[requirement.key] : undefined;
  switch (requirement.operator) {
    case 'In':
      return value !== undefined && requirement.values.includes(value);
    case 'NotIn':
      return value === undefined || !requirement.values.includes(value);
    case 'Exists':
      return present;
    case 'DoesNotExist':
      return !present;
    default:
      return false;
  }
}

export function selectorMatches(selector: LabelSelector, labels: Labels): boolean {
  return selector.requirements.every((requirement) => requirementMatches(requirement, labels));
}

/**
 * True when every pod `narrower` selects is also selected by `broader`: each of
 * broader's requirements is implied by one of narrower's. Sound, not complete.
 */
export function selectorIncludes(broader: LabelSelector, narrower: LabelSelector): boolean {
  return broader.requirements.every((wanted) =>
    narrower.requirements.some((held) => requirementImplies(held, wanted)),
  );
}

const subsetOf = (a: readonly string[], b: readonly string[]): boolean => a.every((v) => b.includes(v));
const disjoint = (a: readonly string[], b: readonly string[]): boolean => a.every((v) => !b.includes(v));

/** Whether every label set satisfying `held` also satisfies `wanted` (same key). */
const IMPLIES: Readonly<Record<string, (held: SelectorRequirement, wanted: SelectorRequirement) => boolean>> = {
  Exists: (held) => held.operator === 'In' || held.operator === 'Exists',
  In: (held, wanted) => held.operator === 'In' && subsetOf(held.values, wanted.values),
  NotIn: (held, wanted) =>
    held.operator === 'DoesNotExist' ||
    (held.operator === 'In' && disjoint(held.values, wanted.values)) ||
    (held.operator === 'NotIn' && subsetOf(wanted.values, held.values)),
  DoesNotExist: (held) => held.operator === 'DoesNotExist',
};

function requirementImplies(held: SelectorRequirement, wanted: SelectorRequirement): boolean {
  const implies = Object.prototype.hasOwnProperty.call(IMPLIES, wanted.operator) ? IMPLIES[wanted.operator] : undefined;
  return held.key === wanted.key && implies !== undefined && implies(held, wanted);
}

/** Whether some value of one key (or its absence) satisfies every requirement on that key. */
function keySatisfiable(requirements: readonly SelectorRequirement[]): boolean {
  if (requirements.some((requirement) => !(SELECTOR_OPERATORS as readonly string[]).includes(requirement.operator))) return false;
  const absentOk = requirements.every((requirement) => requirement.operator === 'NotIn' || requirement.operator === 'DoesNotExist');
  if (absentOk) return true;
  if (requirements.some((requirement) => requirement.operator === 'DoesNotExist')) return false;
  const ins = requirements.filter((requirement) => requirement.operator === 'In');
  // Label values are unbounded, so Exists and NotIn alone always leave one to choose.
  if (ins.length === 0) return true;
  const excluded = new Set(requirements.filter((requirement) => requirement.operator === 'NotIn').flatMap((requirement) => requirement.values));
  const [first, ...rest] = ins;
  return (first?.values ?? []).some((value) => !excluded.has(value) && rest.every((other) => other.values.includes(value)));
}

/**
 * Whether one label set can satisfy all the selectors at once: the pods they select
 * together may exist. Exact, since requirements on different keys are independent.
 */
export function selectorsOverlap(selectors: readonly LabelSelector[]): boolean {
  const byKey = new Map<string, SelectorRequirement[]>();
  for (const selector of selectors) {
    for (const requirement of selector.requirements) {
      const list = byKey.get(requirement.key);
      if (list === undefined) byKey.set(requirement.key, [requirement]);
      else list.push(requirement);
    }
  }
  for (const requirements of byKey.values()) if (!keySatisfiable(requirements)) return false;
  return true;
}

/** A value no selector names, for a key that must be present with a value none excludes. */
const WITNESS_VALUE = 'kube-guardrails-any';

function witnessValue(requirements: readonly SelectorRequirement[]): string | null | undefined {
  if (!keySatisfiable(requirements)) return undefined;
  const ins = requirements.filter((requirement) => requirement.operator === 'In');
  const excluded = new Set(requirements.filter((requirement) => requirement.operator === 'NotIn').flatMap((requirement) => requirement.values));
  if (ins.length > 0) {
    const [first, ...rest] = ins;
    return (first?.values ?? []).find((value) => !excluded.has(value) && rest.every((other) => other.values.includes(value)));
  }
  // Absent where allowed: the fewest labels, so the fewest other selectors match the witness.
  if (requirements.every((requirement) => requirement.operator === 'NotIn' || requirement.operator === 'DoesNotExist')) return null;
  let value = WITNESS_VALUE;
  while (excluded.has(value)) value = `${value}-`;
  return value;
}

/**
 * A label set all the selectors match, with as few labels as it can (keys they do not
 * require are left out), or undefined when none exists.
 */
export function labelsSatisfying(selectors: readonly LabelSelector[]): Labels | undefined {
  const byKey = new Map<string, SelectorRequirement[]>();
  for (const requirement of selectors.flatMap((selector) => selector.requirements)) byKey.set(requirement.key, [...(byKey.get(requirement.key) ?? []), requirement]);
  const labels: Record<string, string> = {};
  for (const [key, requirements] of byKey) {
    const value = witnessValue(requirements);
    if (value === undefined) return undefined;
    if (value !== null) labels[key] = value;
  }
  return labels;
}

/** The selector of the pods every one of `selectors` selects. */
export function selectorConjunction(selectors: readonly LabelSelector[]): LabelSelector {
  const seen = new Set<string>();
  const requirements: SelectorRequirement[] = [];
  for (const requirement of selectors.flatMap((selector) => selector.requirements)) {
    const key = JSON.stringify([requirement.key, requirement.operator, requirement.values]);
    if (seen.has(key)) continue;
    seen.add(key);
    requirements.push(requirement);
  }
  return { requirements };
}

/** Human-readable form, e.g. `app=web, tier in (a,b), !legacy`. */
export function describeSelector(selector: LabelSelector): string {
  if (isEmptySelector(selector)) return '{} (everything)';
  return selector.requirements
    .map(({ key, operator, values }) => {
      if (operator === 'In' && values.length === 1) return `${key}=${values[0] ?? ''}`;
      if (operator === 'Exists') return key;
      if (operator === 'DoesNotExist') return `!${key}`;
      return `${key} ${operator.toLowerCase()} (${values.join(',')})`;
    })
    .join(', ');
}

function operatorErrors(operator: unknown, valueCount: number, path: FieldPath): FieldError[] {
  if (operator === 'In' || operator === 'NotIn') {
    return valueCount === 0 ? [required(fieldPath(path, 'values'), "must be specified when `operator` is 'In' or 'NotIn'")] : [];
  }
  if (operator === 'Exists' || operator === 'DoesNotExist') {
    return valueCount > 0 ? [forbidden(fieldPath(path, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'")] : [];
  }
  return [unsupported(fieldPath(path, 'operator'), operator, SELECTOR_OPERATORS)];
}

function validateRequirement(raw: unknown, path: FieldPath): FieldError[] {
  const errors: FieldError[] = [];
  const record = recordOf(raw);
  if (record === undefined) return [invalid(path, raw, 'must be an object')];
  const operator = field(record, 'operator');
  const values = field(record, 'values');
  const valueList = arrayOf(values) ?? [];
  // null decodes as an empty list, as in the API server.
  if (values != null && !Array.isArray(values)) errors.push(invalid(fieldPath(path, 'values'), values, 'must be a list'));
  errors.push(...operatorErrors(operator, valueList.length, path));
  errors.push(...keyErrors(field(record, 'key'), fieldPath(path, 'key')));
  valueList.forEach((value, i) => errors.push(...labelValueFieldErrors(value, indexPath(fieldPath(path, 'values'), i))));
  return errors;
}

function keyErrors(key: unknown, path: FieldPath): FieldError[] {
  if (typeof key !== 'string') return [invalid(path, key, 'must be a string')];
  return qualifiedNameErrors(key).map((message) => invalid(path, key, message));
}

function labelValueFieldErrors(value: unknown, path: FieldPath): FieldError[] {
  if (typeof value !== 'string') return [invalid(path, value, 'must be a string')];
  return labelValueErrors(value).map((message) => invalid(path, value, message));
}

/** Label maps, as in metadata.labels or matchLabels. */
export function validateLabels(raw: unknown, path: FieldPath): FieldError[] {
  if (raw === undefined || raw === null) return [];
  if (!isRecord(raw)) return [invalid(path, raw, 'must be a map of strings')];
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(raw)) {
    // Paths are built only for what is wrong: this runs on every object reviewed.
    if (typeof value === 'string' && qualifiedNameErrors(key).length === 0 && labelValueErrors(value).length === 0) continue;
    errors.push(...keyErrors(key, path), ...labelValueFieldErrors(value, fieldPath(path, key)));
  }
  return errors;
}

function isValidLabelPair(key: string, value: unknown): boolean {
  return typeof value === 'string' && qualifiedNameErrors(key).length === 0 && labelValueErrors(value).length === 0;
}

const isValidValue = (value: unknown): boolean => typeof value === 'string' && labelValueErrors(value).length === 0;

function operatorFits(operator: unknown, valueCount: number): boolean {
  if (operator === 'In' || operator === 'NotIn') return valueCount > 0;
  return (operator === 'Exists' || operator === 'DoesNotExist') && valueCount === 0;
}

function isValidRequirement(raw: unknown): boolean {
  if (!isRecord(raw)) return false;
  const { key, operator, values } = raw as { key?: unknown; operator?: unknown; values?: unknown };
  if (typeof key !== 'string' || qualifiedNameErrors(key).length > 0) return false;
  const list = values ?? [];
  return Array.isArray(list) && list.every(isValidValue) && operatorFits(operator, list.length);
}

function isValidLabelMap(raw: unknown): boolean {
  if (raw === undefined || raw === null) return true;
  if (!isRecord(raw)) return false;
  for (const key in raw) if (!isValidLabelPair(key, raw[key])) return false;
  return true;
}

/**
 * True only for a selector that is certainly valid: the usual case, answered without
 * building any path or error. Anything else goes through the full validation, which
 * words the errors. A property test holds the two to agreement.
 */
export function isPlainValidSelector(raw: unknown): boolean {
  if (!isRecord(raw)) return false;
  for (const key in raw) if (key !== 'matchLabels' && key !== 'matchExpressions') return false;
  const { matchLabels, matchExpressions } = raw as { matchLabels?: unknown; matchExpressions?: unknown };
  if (!isValidLabelMap(matchLabels)) return false;
  return matchExpressions === undefined || matchExpressions === null || (Array.isArray(matchExpressions) && matchExpressions.every(isValidRequirement));
}

const NO_FIELD_ERRORS: readonly FieldError[] = [];
Object.freeze(NO_FIELD_ERRORS);

/** ValidateLabelSelector for new objects (label values in selectors are checked too). */
export function validateLabelSelector(raw: unknown, path: FieldPath): readonly FieldError[] {
  if (raw === undefined || raw === null || isPlainValidSelector(raw)) return NO_FIELD_ERRORS;
  if (!isRecord(raw)) return [invalid(path, raw, 'must be a label selector object')];
  const errors = validateLabels(field(raw, 'matchLabels'), fieldPath(path, 'matchLabels'));
  const expressions = field(raw, 'matchExpressions');
  if (expressions !== undefined && expressions !== null && !Array.isArray(expressions)) {
    return [...errors, invalid(fieldPath(path, 'matchExpressions'), expressions, 'must be a list')];
  }
  (arrayOf(expressions) ?? []).forEach((expression, i) => {
    errors.push(...validateRequirement(expression, indexPath(fieldPath(path, 'matchExpressions'), i)));
  });
  return errors;
}
