/**
 * Field errors phrased as the API server phrases them (k8s.io/apimachinery
 * util/validation/field), so that a review reads like the `kubectl apply` it prevents.
 */
export type FieldErrorType = 'Required value' | 'Invalid value' | 'Unsupported value' | 'Forbidden';

export interface FieldError {
  readonly path: string;
  readonly type: FieldErrorType;
  readonly detail: string;
  readonly value?: unknown;
}

export function formatFieldError(error: FieldError): string {
  const shown = error.value === undefined ? '' : `${JSON.stringify(error.value)}: `;
  return `${error.path}: ${error.type}: ${shown}${error.detail}`;
}

export const required = (path: string, detail: string): FieldError => ({ path, type: 'Required value', detail });

export const invalid = (path: string, value: unknown, detail: string): FieldError => ({
  path,
  type: 'Invalid value',
  value,
  detail,
});

export const forbidden = (path: string, detail: string): FieldError => ({ path, type: 'Forbidden', detail });

export const unsupported = (path: string, value: unknown, supported: readonly string[]): FieldError => ({
  path,
  type: 'Unsupported value',
  value,
  detail: `supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`,
});
