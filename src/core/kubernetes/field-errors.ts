/**
 * Field errors phrased as the API server phrases them (k8s.io/apimachinery
 * util/validation/field), so that a review reads like the `kubectl apply` it prevents.
 */
import { renderPath, type FieldPath } from './shape.js';

type FieldErrorType = 'Required value' | 'Invalid value' | 'Unsupported value' | 'Forbidden' | 'Duplicate value';

export interface FieldError {
  readonly path: FieldPath;
  readonly type: FieldErrorType;
  readonly detail: string;
  readonly value?: unknown;
  /** The value as the API server prints it, when that is Go's `%#v` of a struct rather than JSON. */
  readonly printed?: string;
}

/** `Invalid value: "tcp": <detail>`, the API server's wording without the path. */
export function describeFieldError(error: FieldError): string {
  const shown = error.printed !== undefined ? `${error.printed}: ` : error.value === undefined ? '' : `${JSON.stringify(error.value)}: `;
  return `${error.type}: ${shown}${error.detail}`.replace(/: $/, '');
}

/** `spec.x: Invalid value: "tcp": <detail>`, as kubectl prints it. */
export function formatFieldError(error: FieldError): string {
  return `${renderPath(error.path)}: ${describeFieldError(error)}`;
}

export const required = (path: FieldPath, detail: string): FieldError => ({ path, type: 'Required value', detail });

export const invalid = (path: FieldPath, value: unknown, detail: string): FieldError => ({
  path,
  type: 'Invalid value',
  value,
  detail,
});

export const forbidden = (path: FieldPath, detail: string): FieldError => ({ path, type: 'Forbidden', detail });

export const unsupported = (path: FieldPath, value: unknown, supported: readonly string[]): FieldError => ({
  path,
  type: 'Unsupported value',
  value,
  detail: `supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`,
});

export const duplicate = (path: FieldPath, value: unknown): FieldError => ({ path, type: 'Duplicate value', value, detail: '' });
