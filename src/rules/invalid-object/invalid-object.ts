import { z } from 'zod';
import { decodeFailureMessage, decodeTypeErrors, type DecodeTypeError } from '../../core/kubernetes/decode-types.js';
import { formatFieldError, type FieldError } from '../../core/kubernetes/field-errors.js';
import { validateLabels } from '../../core/kubernetes/label-selector.js';
import { field, recordOf } from '../../core/kubernetes/shape.js';
import type { Subject } from '../../core/kubernetes/subject.js';
import { validateNetworkPolicySpec } from '../../core/kubernetes/validate-network-policy.js';
import { validatePodTemplate } from '../../core/kubernetes/validate-pod-template.js';
import { fitSummary, quote } from '../shared/words.js';
import { defineRule, type Finding } from '../types.js';

function fieldErrors(subject: Subject): FieldError[] {
  const labels = validateLabels(field(recordOf(field(subject.object, 'metadata')), 'labels'), ['metadata', 'labels']);
  if (subject.judgedAs === 'NetworkPolicy') return [...labels, ...validateNetworkPolicySpec(subject.object)];
  if (subject.judgedAs === 'PodTemplate') return [...labels, ...validatePodTemplate(subject.object, subject.kind, subject.podTemplate)];
  return labels;
}

function shownValue(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A string quoted, anything else as its JSON, both cut to fit a summary. */
function summaryValue(value: unknown, shown: string): string {
  if (typeof value === 'string') return quote(value, 30);
  return shown.length <= 40 ? shown : `${shown.slice(0, 39)}…`;
}

function findingOf(error: FieldError): Finding {
  const value = shownValue(error.value);
  // The line kubectl would print for this field, kept whole in the details.
  const apiServerMessage = formatFieldError(error);
  const summary = fitSummary(`the API server would refuse this: ${error.type}${value === undefined ? '' : ` ${summaryValue(error.value, value)}`}`, `: ${error.detail}`);
  return {
    path: error.path,
    summary,
    // The detail without the value: a template's whole label map would make the line unbounded.
    fix: error.detail === '' || summary.endsWith(error.detail) ? 'Correct this field before applying.' : `Correct the field (${error.detail}).`,
    ...(value === undefined ? {} : { value }),
    details: { apiServerMessage },
  };
}

const JSON_TYPE_WORDS: Readonly<Record<string, string>> = { array: 'a list', object: 'a map', string: 'a string', boolean: 'a bool', number: 'a number' };

function decodeFindingOf(subject: Subject, error: DecodeTypeError): Finding {
  const value = shownValue(error.value) ?? 'null';
  const jsonType = JSON_TYPE_WORDS[Array.isArray(error.value) ? 'array' : typeof error.value] ?? 'a value';
  return {
    path: error.path,
    summary: fitSummary(`the API server cannot decode ${jsonType} ${summaryValue(error.value, value)} here`, `: it takes ${error.expects}`),
    fix: error.expects === 'a string' ? 'Quote the value, so that YAML reads it as a string.' : `Write ${error.expects} here, without quotes.`,
    value,
    details: { apiServerMessage: decodeFailureMessage(subject.kind, subject.apiVersion, error) },
  };
}

/** Decoding comes first: an object the API server cannot decode is refused before any validation runs. */
function findingsOf(subject: Subject): Finding[] {
  const decodeErrors = decodeTypeErrors(subject.object, subject.kind);
  if (decodeErrors.length > 0) return decodeErrors.map((error) => decodeFindingOf(subject, error));
  return fieldErrors(subject).map(findingOf);
}

export const invalidObject = defineRule({
  id: 'invalid-object',
  description:
    'The object would be rejected by the API server’s own decoding or validation: a value of the wrong type (a quoted "true" where a bool goes, a boolean label value, a fraction for a port), an empty NetworkPolicy peer, an ipBlock beside a selector, a bad CIDR or except, a bad protocol, port or endPort, a bad label selector or label, or a workload selector that does not select its template. Reported with the API server’s reason, so a review catches it before kubectl does.',
  remediation: 'Correct the field named in the message; the message quotes the reason kube-apiserver would give.',
  defaultAction: 'deny',
  appliesTo: ['NetworkPolicy', 'PodTemplate', 'Namespace'],
  params: z.object({}).strict(),
  check: findingsOf,
});
