/**
 * The object under review, read once: identity, labels, and the kind-specific models
 * that rules consume. Rules never parse the raw object themselves. The subject is a
 * union on `judgedAs`, so a rule typed for NetworkPolicies gets the policy model.
 */
import { kindOf, type JudgedKind, type KindSpec } from './kinds.js';
import type { Labels } from './label-selector.js';
import { readNetworkPolicy, type ModelCache, type NetworkPolicyModel } from './network-policy.js';
import { readPodTemplate, type PodTemplateModel } from './pod-template.js';
import { field, recordOf, stringMapOf, stringOf, type JsonRecord } from './shape.js';

interface SubjectBase {
  readonly object: JsonRecord;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly labels: Labels;
}

export interface NetworkPolicySubject extends SubjectBase {
  readonly judgedAs: 'NetworkPolicy';
  readonly spec: KindSpec;
  readonly networkPolicy: NetworkPolicyModel;
}

export interface PodTemplateSubject extends SubjectBase {
  readonly judgedAs: 'PodTemplate';
  readonly spec: KindSpec;
  readonly podTemplate: PodTemplateModel;
}

export interface NamespaceSubject extends SubjectBase {
  readonly judgedAs: 'Namespace';
  readonly spec: KindSpec;
}

/** A kind no rule judges (a ConfigMap, a Calico NetworkPolicy). */
export interface OtherSubject extends SubjectBase {
  readonly judgedAs: 'Other';
}

export type Subject = NetworkPolicySubject | PodTemplateSubject | NamespaceSubject | OtherSubject;

export type SubjectOf<K extends JudgedKind> = Extract<Subject, { readonly judgedAs: K }>;

function readBase(object: JsonRecord, defaultNamespace: string): { base: SubjectBase; spec: KindSpec | undefined } {
  const metadata = recordOf(field(object, 'metadata'));
  const kind = stringOf(field(object, 'kind')) ?? '';
  const apiVersion = stringOf(field(object, 'apiVersion')) ?? '';
  const name = stringOf(field(metadata, 'name')) ?? stringOf(field(metadata, 'generateName')) ?? '';
  const spec = kindOf(apiVersion, kind);
  const namespace = spec?.scope === 'Cluster' ? name : (stringOf(field(metadata, 'namespace')) ?? defaultNamespace);
  return { base: { object, apiVersion, kind, name, namespace, labels: stringMapOf(field(metadata, 'labels')) }, spec };
}

/** `models`: NetworkPolicy models already read, for a caller that reads the same objects again (see ModelCache). */
export function readSubject(object: JsonRecord, defaultNamespace: string, models?: ModelCache): Subject {
  const { base, spec } = readBase(object, defaultNamespace);
  if (spec === undefined) return { ...base, judgedAs: 'Other' };
  switch (spec.judgedAs) {
    case 'NetworkPolicy':
      return { ...base, judgedAs: 'NetworkPolicy', spec, networkPolicy: readNetworkPolicy(object, defaultNamespace, models) };
    case 'PodTemplate': {
      const podTemplate = readPodTemplate(object, spec);
      return podTemplate === undefined ? { ...base, judgedAs: 'Other' } : { ...base, judgedAs: 'PodTemplate', spec, podTemplate };
    }
    case 'Namespace':
      return { ...base, judgedAs: 'Namespace', spec };
  }
}
