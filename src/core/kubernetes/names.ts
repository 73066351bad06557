/**
 * Name and value grammars from k8s.io/apimachinery/pkg/util/validation, returning the
 * API server's messages. An empty list means valid.
 */
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME_RULE =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

export function dns1123SubdomainErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 253) errors.push('must be no more than 253 characters');
  if (!DNS1123_SUBDOMAIN.test(value)) {
    errors.push(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
    );
  }
  return errors;
}

function namePartErrors(name: string): string[] {
  if (name === '') return ['name part must be non-empty'];
  const errors: string[] = [];
  if (name.length > 63) errors.push('name part must be no more than 63 characters');
  if (!QUALIFIED_NAME.test(name)) errors.push(`name part ${QUALIFIED_NAME_RULE}`);
  return errors;
}

const NO_ERRORS: readonly string[] = [];
Object.freeze(NO_ERRORS);
/** The shape of nearly every valid key (`app`, `app.kubernetes.io/name`), checked in one test. */
const COMMON_VALID_KEY = /^(?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** A label key or other qualified name: an optional DNS subdomain prefix, '/', and a name. */
export function qualifiedNameErrors(value: string): readonly string[] {
  if (value.length <= 63 && COMMON_VALID_KEY.test(value)) return NO_ERRORS;
  const parts = value.split('/');
  if (parts.length > 2) {
    return [`a qualified name ${QUALIFIED_NAME_RULE} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  const [first = '', second] = parts;
  if (second === undefined) return namePartErrors(first);
  const prefixErrors = first === '' ? ['must be non-empty'] : dns1123SubdomainErrors(first);
  return [...prefixErrors.map((message) => `prefix part ${message}`), ...namePartErrors(second)];
}

export function labelValueErrors(value: string): readonly string[] {
  if (value.length <= 63 && LABEL_VALUE.test(value)) return NO_ERRORS;
  const errors: string[] = [];
  if (value.length > 63) errors.push('must be no more than 63 characters');
  if (!LABEL_VALUE.test(value)) {
    errors.push(`a valid label must be an empty string or ${QUALIFIED_NAME_RULE}`);
  }
  return errors;
}

export function portNumberErrors(value: number): readonly string[] {
  return Number.isInteger(value) && value >= 1 && value <= 65535 ? NO_ERRORS : ['must be between 1 and 65535, inclusive'];
}

/** IANA_SVC_NAME (RFC 6335), the grammar of named ports. */
export function portNameErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 15) errors.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(value)) errors.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(value)) errors.push('must contain at least one letter (a-z)');
  if (value.includes('--')) errors.push('must not contain consecutive hyphens');
  if (value.startsWith('-') || value.endsWith('-')) errors.push('must not begin or end with a hyphen');
  return errors;
}
