/**
 * Total accessors for untrusted, JSON-shaped input. Manifests and AdmissionReviews may
 * hold anything; these never throw and never return the wrong type.
 */
export type JsonRecord = Readonly<Record<string, unknown>>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function recordOf(value: unknown): JsonRecord | undefined {
  return isRecord(value) ? value : undefined;
}

export function arrayOf(value: unknown): readonly unknown[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

export function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Own-property read, so that keys like `__proto__` or `constructor` never reach the prototype. */
export function field(record: JsonRecord | undefined, key: string): unknown {
  return record !== undefined && Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Where a field is in an object: keys and list indexes, e.g. ['spec', 'ingress', 0, 'from']. */
type PathSegment = string | number;
export type FieldPath = readonly PathSegment[];

/** `spec.ingress[0].from`, with `["key"]` for keys that are not identifiers (label keys with / or .). */
export function renderPath(path: FieldPath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (!IDENTIFIER.test(segment)) text += `[${JSON.stringify(segment)}]`;
    else text += text === '' ? segment : `.${segment}`;
  }
  return text;
}

/** The path of a key under `base`. */
export function fieldPath(base: FieldPath, key: string): FieldPath {
  return [...base, key];
}

/** The path of a list item under `base`. */
export function indexPath(base: FieldPath, index: number): FieldPath {
  return [...base, index];
}

/** A string-to-string map (labels); entries of other types are dropped and reported by validation. */
export function stringMapOf(value: unknown): Readonly<Record<string, string>> {
  if (!isRecord(value)) return {};
  // A plain object is fast; only a key named __proto__ needs a null prototype to stay a key.
  const result: Record<string, string> = Object.prototype.hasOwnProperty.call(value, '__proto__') ? (Object.create(null) as Record<string, string>) : {};
  for (const key in value) {
    const entry = value[key];
    if (typeof entry === 'string' && Object.prototype.hasOwnProperty.call(value, key)) result[key] = entry;
  }
  return result;
}

/** The value at a path of keys and list indexes, e.g. `['spec', 'template']`; undefined when absent. */
export function valueAt(root: unknown, path: FieldPath): unknown {
  let current: unknown = root;
  for (const segment of path) {
    if (typeof segment === 'number') current = Array.isArray(current) ? (current[segment] as unknown) : undefined;
    else current = field(recordOf(current), segment);
  }
  return current;
}
