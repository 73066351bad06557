import { z } from 'zod';
import type { Labels } from '../../core/kubernetes/label-selector.js';
import type { Subject, SubjectKind } from '../../core/kubernetes/subject.js';
import { defineRule, type Finding } from '../types.js';

const ID = 'required-labels';

function isValidPattern(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

const requirement = z
  .object({
    key: z.string().min(1).describe('Label key that must be present.'),
    pattern: z
      .string()
      .refine(isValidPattern, 'must be a valid regular expression')
      .optional()
      .describe('Regular expression the whole value must match (anchored); without it the value must be non-empty.'),
  })
  .strict();

const params = z
  .object({
    pods: z.array(requirement).default([{ key: 'app' }]).describe('Labels every Pod and pod template must carry.'),
    networkPolicies: z.array(requirement).default([]).describe('Labels every NetworkPolicy must carry.'),
    namespaces: z.array(requirement).default([]).describe('Labels every Namespace must carry.'),
  })
  .strict();

type Params = z.infer<typeof params>;
type Requirement = z.infer<typeof requirement>;

const compiled = new Map<string, RegExp>();

/** Anchored: a pattern must describe the whole value, unlike Gatekeeper's unanchored regex.match. */
function anchored(pattern: string): RegExp {
  let regex = compiled.get(pattern);
  if (regex === undefined) {
    regex = new RegExp(`^(?:${pattern})$`, 'u');
    compiled.set(pattern, regex);
  }
  return regex;
}

function violation(labels: Labels, wanted: Requirement): string | undefined {
  const value = Object.prototype.hasOwnProperty.call(labels, wanted.key) ? labels[wanted.key] : undefined;
  if (value === undefined) return `is missing the required label "${wanted.key}"`;
  if (wanted.pattern === undefined) return value === '' ? `has an empty value for the required label "${wanted.key}"` : undefined;
  return anchored(wanted.pattern).test(value) ? undefined : `has label ${wanted.key}="${value}", which does not match ^(${wanted.pattern})$`;
}

interface Target {
  readonly labels: Labels;
  readonly path: string;
  readonly requirements: readonly Requirement[];
  readonly noun: string;
}

function targetOf(subject: Subject, p: Params): Target | undefined {
  const byKind: Partial<Record<SubjectKind, () => Target | undefined>> = {
    PodTemplate: () =>
      subject.podTemplate && {
        labels: subject.podTemplate.labels,
        path: `${subject.podTemplate.metadataPath}.labels`,
        requirements: p.pods,
        noun: subject.kind === 'Pod' ? 'the Pod' : `the pod template of this ${subject.kind}`,
      },
    NetworkPolicy: () => ({ labels: subject.labels, path: 'metadata.labels', requirements: p.networkPolicies, noun: 'the NetworkPolicy' }),
    Namespace: () => ({ labels: subject.labels, path: 'metadata.labels', requirements: p.namespaces, noun: 'the Namespace' }),
  };
  return byKind[subject.subjectKind]?.();
}

export const requiredLabels = defineRule<Params>({
  id: ID,
  description:
    'An object lacks a label the organisation requires, or its value does not match the required pattern: Pods and pod templates (default: a non-empty `app`), NetworkPolicies and Namespaces, each with its own list.',
  remediation:
    'Add the required labels with valid values; for workloads put them on the pod template (spec.template.metadata.labels), which is what NetworkPolicies select.',
  defaultAction: 'deny',
  appliesTo: ['PodTemplate', 'NetworkPolicy', 'Namespace'],
  params,
  check: (subject, { params: p }) => {
    const target = targetOf(subject, p);
    if (target === undefined) return [];
    return target.requirements.flatMap((wanted): Finding[] => {
      const problem = violation(target.labels, wanted);
      if (problem === undefined) return [];
      const fix = wanted.pattern === undefined ? 'a non-empty value' : `a value matching ^(${wanted.pattern})$`;
      return [{ path: target.path, message: `${target.noun} ${problem}; set ${target.path}.${wanted.key} to ${fix}.` }];
    });
  },
});
