/**
 * The object under review, read once: identity, labels, and the kind-specific models
 * that rules consume. Rules never parse the raw object themselves.
 */
import { stringMapOf, field, recordOf, stringOf, type JsonRecord } from './shape.js';
import { readNetworkPolicy, type NetworkPolicyModel } from './network-policy.js';
import { readPodTemplate, type PodTemplateModel } from './pod-template.js';
import type { Labels } from './label-selector.js';

export type SubjectKind = 'NetworkPolicy' | 'PodTemplate' | 'Namespace' | 'Other';

export interface Subject {
  readonly object: JsonRecord;
  readonly apiVersion: string;
  readonly kind: string;
  readonly subjectKind: SubjectKind;
  readonly name: string;
  readonly namespace: string;
  readonly labels: Labels;
  readonly networkPolicy?: NetworkPolicyModel;
  readonly podTemplate?: PodTemplateModel;
}

/** API group each judged kind must come from: Calico and Cilium also define a kind NetworkPolicy. */
const JUDGED_GROUPS: Readonly<Record<string, readonly string[]>> = {
  NetworkPolicy: ['networking.k8s.io'],
  Namespace: [''],
  Pod: [''],
  PodTemplate: [''],
  ReplicationController: [''],
  Deployment: ['apps', 'extensions'],
  StatefulSet: ['apps'],
  DaemonSet: ['apps', 'extensions'],
  ReplicaSet: ['apps', 'extensions'],
  Job: ['batch'],
  CronJob: ['batch'],
};

export function apiGroupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

function subjectKindOf(kind: string, apiVersion: string): SubjectKind {
  const groups = Object.prototype.hasOwnProperty.call(JUDGED_GROUPS, kind) ? JUDGED_GROUPS[kind] : undefined;
  if (groups === undefined || !groups.includes(apiGroupOf(apiVersion))) return 'Other';
  if (kind === 'NetworkPolicy' || kind === 'Namespace') return kind;
  return 'PodTemplate';
}

export function readSubject(object: JsonRecord, defaultNamespace: string): Subject {
  const metadata = recordOf(field(object, 'metadata'));
  const kind = stringOf(field(object, 'kind')) ?? '';
  const apiVersion = stringOf(field(object, 'apiVersion')) ?? '';
  const subjectKind = subjectKindOf(kind, apiVersion);
  const name = stringOf(field(metadata, 'name')) ?? stringOf(field(metadata, 'generateName')) ?? '';
  const namespace = kind === 'Namespace' ? name : (stringOf(field(metadata, 'namespace')) ?? defaultNamespace);
  const podTemplate = subjectKind === 'PodTemplate' ? readPodTemplate(object, kind) : undefined;
  return {
    object,
    apiVersion,
    kind,
    subjectKind,
    name,
    namespace,
    labels: stringMapOf(field(metadata, 'labels')),
    ...(subjectKind === 'NetworkPolicy' ? { networkPolicy: readNetworkPolicy(object, defaultNamespace) } : {}),
    ...(podTemplate === undefined ? {} : { podTemplate }),
  };
}
