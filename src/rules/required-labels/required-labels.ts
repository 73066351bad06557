import { z } from 'zod';
import type { Labels } from '../../core/kubernetes/label-selector.js';
import type { FieldPath } from '../../core/kubernetes/shape.js';
import { renderPath } from '../../core/kubernetes/shape.js';
import type { Subject } from '../../core/kubernetes/subject.js';
import { fitSummary, quote } from '../shared/words.js';
import { defineRule, type Finding } from '../types.js';

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

interface Problem {
  readonly summary: string;
  readonly value?: string;
}

function problemOf(labels: Labels, wanted: Requirement): Problem | undefined {
  const value = Object.prototype.hasOwnProperty.call(labels, wanted.key) ? labels[wanted.key] : undefined;
  if (value === undefined) return { summary: `is missing the required label ${quote(wanted.key, 63)}` };
  if (wanted.pattern === undefined) return value === '' ? { summary: `has an empty value for the required label ${quote(wanted.key, 63)}`, value } : undefined;
  return anchored(wanted.pattern).test(value) ? undefined : { summary: `has ${wanted.key}=${quote(value)}, which does not match ^(${wanted.pattern})$`, value };
}

interface Target {
  readonly labels: Labels;
  readonly path: FieldPath;
  readonly requirements: readonly Requirement[];
  readonly noun: string;
}

function targetOf(subject: Subject, p: Params): Target | undefined {
  switch (subject.judgedAs) {
    case 'PodTemplate':
      return {
        labels: subject.podTemplate.labels,
        path: [...subject.podTemplate.metadataPath, 'labels'],
        requirements: p.pods,
        noun: subject.kind === 'Pod' ? 'the Pod' : `the pod template of this ${subject.kind}`,
      };
    case 'NetworkPolicy':
      return { labels: subject.labels, path: ['metadata', 'labels'], requirements: p.networkPolicies, noun: 'the NetworkPolicy' };
    case 'Namespace':
      return { labels: subject.labels, path: ['metadata', 'labels'], requirements: p.namespaces, noun: 'the Namespace' };
    case 'Other':
      return undefined;
  }
}

function findingOf(target: Target, wanted: Requirement, problem: Problem): Finding {
  const wantedValue = wanted.pattern === undefined ? 'a non-empty value' : `a value matching ^(${wanted.pattern})$`;
  return {
    path: target.path,
    summary: fitSummary(`${target.noun} ${problem.summary}`),
    fix: `Set ${renderPath([...target.path, wanted.key])} to ${wantedValue}.`,
    ...(problem.value === undefined ? {} : { value: problem.value }),
    details: { label: wanted.key },
  };
}

export const requiredLabels = defineRule({
  id: 'required-labels',
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
      const problem = problemOf(target.labels, wanted);
      return problem === undefined ? [] : [findingOf(target, wanted, problem)];
    });
  },
});
