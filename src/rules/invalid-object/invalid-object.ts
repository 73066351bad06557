import { z } from 'zod';
import { describeFieldError, type FieldError } from '../../core/kubernetes/field-errors.js';
import { validateLabels } from '../../core/kubernetes/label-selector.js';
import { field, recordOf } from '../../core/kubernetes/shape.js';
import type { Subject } from '../../core/kubernetes/subject.js';
import { validateNetworkPolicySpec } from '../../core/kubernetes/validate-network-policy.js';
import { validatePodTemplate } from '../../core/kubernetes/validate-pod-template.js';
import { defineRule } from '../types.js';

function fieldErrors(subject: Subject): FieldError[] {
  const labels = validateLabels(field(recordOf(field(subject.object, 'metadata')), 'labels'), 'metadata.labels');
  if (subject.subjectKind === 'NetworkPolicy') return [...labels, ...validateNetworkPolicySpec(subject.object)];
  if (subject.podTemplate !== undefined) return [...labels, ...validatePodTemplate(subject.object, subject.kind, subject.podTemplate)];
  return labels;
}

export const invalidObject = defineRule({
  id: 'invalid-object',
  description:
    'The object would be rejected by the API server’s own validation: an empty NetworkPolicy peer, an ipBlock beside a selector, a bad CIDR or except, a bad protocol, port or endPort, a bad label selector or label, or a workload selector that does not select its template. Reported with the API server’s reason, so a review catches it before kubectl does.',
  remediation: 'Correct the field named in the message; the message quotes the reason kube-apiserver would give.',
  defaultAction: 'deny',
  appliesTo: ['NetworkPolicy', 'PodTemplate', 'Namespace'],
  params: z.object({}).strict(),
  check: (subject) =>
    fieldErrors(subject).map((error) => ({
      path: error.path,
      message: `the API server would reject this object with "${describeFieldError(error)}"; correct ${error.path} before applying.`,
    })),
});
