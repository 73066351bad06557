/**
 * What an audit reads from the cluster: every object of each kind the webhook judges
 * (paginated lists, with the apiVersion and kind a list's items lack), and the webhook's
 * own registration, whose selectors say what admission judges.
 */
import { collectionPath, EXCLUDED_NAMESPACES, KINDS, NAMESPACE_NAME_LABEL } from '../core/kubernetes/kinds.js';
import { MATCH_EVERYTHING, readLabelSelector, type LabelSelector } from '../core/kubernetes/label-selector.js';
import { arrayOf, field, recordOf, stringOf, type JsonRecord } from '../core/kubernetes/shape.js';
import type { AuditScope } from '../engine/audit.js';
import { ApiStatusError, listAllPages, type KubeApi, type KubeRequests } from './kube-api.js';
import { keptForAudit } from './object-store.js';

/** Objects per list page: smaller than the informers' 500, as each page's parse is what drives an audit's peak memory (page of 500: 220 MB, 100: 179 MB, 0.5 s slower over 10,000 objects). */
const LIST_PAGE_SIZE = 100;

/** The shipped registration (manifests/registration/) and its one webhook. */
export const REGISTRATION_NAME = 'kube-guardrails';
export const WEBHOOK_NAME = 'validate.kube-guardrails.io';
const REGISTRATION_PATH = `/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/${REGISTRATION_NAME}`;

/**
 * Every object of every judged kind, cluster-wide or in one namespace (Namespaces are
 * always listed whole: rules weigh selectors against every namespace). Kinds in table
 * order, one after another: memory peaks at one page, not at a page of each kind.
 */
export async function listJudgedObjects(api: KubeApi, namespace: string | undefined, signal: AbortSignal): Promise<JsonRecord[]> {
  const objects: JsonRecord[] = [];
  for (const spec of KINDS.filter((candidate) => candidate.admission)) {
    // Trimmed page by page, so a page's raw objects are garbage before the next arrives.
    objects.push(...(await listAllPages(api, collectionPath(spec, namespace), { pageSize: LIST_PAGE_SIZE, signal, keep: (item) => keptForAudit(item, spec) })));
  }
  return objects;
}

/** The scope the shipped registration has: every namespace but kube-system and ours. */
export const DEFAULT_SCOPE: AuditScope = {
  namespaceSelector: { requirements: [{ key: NAMESPACE_NAME_LABEL, operator: 'NotIn', values: EXCLUDED_NAMESPACES }] },
  objectSelector: MATCH_EVERYTHING,
};

export interface RegistrationScope {
  readonly scope: AuditScope;
  /** Where the selectors came from, for the log and stderr. */
  readonly source: 'registration' | 'default';
}

function selectorOf(raw: unknown): LabelSelector {
  // An absent selector matches everything, as the API server defaults it.
  return raw === undefined ? MATCH_EVERYTHING : readLabelSelector(raw);
}

/**
 * The selectors of the webhook's registration in the cluster, so that the audit judges
 * what admission does; the shipped defaults when it is not installed (or not readable).
 */
export async function registrationScope(api: KubeRequests, signal: AbortSignal): Promise<RegistrationScope> {
  let registration: JsonRecord;
  try {
    registration = await api.send('GET', REGISTRATION_PATH, undefined, signal);
  } catch (error: unknown) {
    if (error instanceof ApiStatusError && (error.statusCode === 404 || error.statusCode === 403)) return { scope: DEFAULT_SCOPE, source: 'default' };
    throw error;
  }
  const webhook = (arrayOf(field(registration, 'webhooks')) ?? []).map(recordOf).find((candidate) => stringOf(field(candidate, 'name')) === WEBHOOK_NAME);
  if (webhook === undefined) return { scope: DEFAULT_SCOPE, source: 'default' };
  return { scope: { namespaceSelector: selectorOf(field(webhook, 'namespaceSelector')), objectSelector: selectorOf(field(webhook, 'objectSelector')) }, source: 'registration' };
}
