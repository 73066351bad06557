/**
 * Reads an admission.k8s.io/v1 AdmissionReview from an untrusted body. Anything that is
 * not one becomes a GuardrailsError with code KG_BAD_REVIEW (HTTP 400), never a crash.
 */
import { GuardrailsError } from '../errors.js';
import { admissionKindOf, judgesSubresource } from '../core/kubernetes/kinds.js';
import { arrayOf, field, isRecord, recordOf, stringOf, type JsonRecord } from '../core/kubernetes/shape.js';

/** The envelope of every review and every answer. */
export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';
export const ADMISSION_REVIEW_KIND = 'AdmissionReview';

export const OPERATIONS = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'] as const;
type Operation = (typeof OPERATIONS)[number];

interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

export interface ReviewRequest {
  readonly uid: string;
  readonly operation: Operation;
  readonly kind: GroupVersionKind;
  readonly subResource: string;
  readonly namespace: string;
  readonly name: string;
  readonly object: JsonRecord | undefined;
  /** The stored object an UPDATE changes (or a DELETE removes). */
  readonly oldObject: JsonRecord | undefined;
  readonly username: string;
  readonly groups: readonly string[];
  readonly dryRun: boolean;
}

/** A value from the request, quoted and cut short: error answers stay small. */
function shown(value: unknown): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value);
  return text.length > 64 ? `${text.slice(0, 61)}...` : text;
}

function bad(message: string): GuardrailsError {
  return new GuardrailsError('KG_BAD_REVIEW', message);
}

function readKind(value: unknown): GroupVersionKind {
  const record = recordOf(value);
  const kind = stringOf(field(record, 'kind'));
  if (record === undefined || kind === undefined || kind === '') throw bad('request.kind must be {group, version, kind}');
  return { group: stringOf(field(record, 'group')) ?? '', version: stringOf(field(record, 'version')) ?? '', kind };
}

function readOperation(value: unknown): Operation {
  const operation = OPERATIONS.find((candidate) => candidate === value);
  if (operation === undefined) throw bad(`request.operation must be one of ${OPERATIONS.join(', ')}`);
  return operation;
}

function readObject(request: JsonRecord, operation: Operation): JsonRecord | undefined {
  const object = field(request, 'object');
  if (isRecord(object)) return object;
  // On DELETE the API server sends the object as oldObject and object is null.
  if (operation === 'DELETE' && (object === null || object === undefined)) return undefined;
  throw bad('request.object must be an object');
}

function readEnvelope(body: unknown): JsonRecord {
  if (!isRecord(body)) throw bad('the body must be a JSON object (an AdmissionReview)');
  const apiVersion = field(body, 'apiVersion');
  const kind = field(body, 'kind');
  if (apiVersion !== ADMISSION_API_VERSION || kind !== ADMISSION_REVIEW_KIND) {
    throw bad(`expected apiVersion ${ADMISSION_API_VERSION} and kind ${ADMISSION_REVIEW_KIND}, got ${shown(apiVersion)} ${shown(kind)}`);
  }
  const request = recordOf(field(body, 'request'));
  if (request === undefined) throw bad('request must be an object');
  return request;
}

export function parseReview(body: unknown): ReviewRequest {
  const request = readEnvelope(body);
  const uid = stringOf(field(request, 'uid'));
  if (uid === undefined || uid === '') throw bad('request.uid must be a non-empty string');
  const operation = readOperation(field(request, 'operation'));
  const userInfo = recordOf(field(request, 'userInfo'));
  return {
    uid,
    operation,
    kind: readKind(field(request, 'kind')),
    subResource: stringOf(field(request, 'subResource')) ?? '',
    namespace: stringOf(field(request, 'namespace')) ?? '',
    name: stringOf(field(request, 'name')) ?? '',
    object: readObject(request, operation),
    oldObject: recordOf(field(request, 'oldObject')),
    username: stringOf(field(userInfo, 'username')) ?? '',
    groups: (arrayOf(field(userInfo, 'groups')) ?? []).filter((group): group is string => typeof group === 'string'),
    dryRun: field(request, 'dryRun') === true,
  };
}

/** An object being deleted only sheds finalizers; refusing that would leave it stuck terminating. */
function isBeingDeleted(object: JsonRecord): boolean {
  return field(recordOf(field(object, 'metadata')), 'deletionTimestamp') != null;
}

/** A DELETE the webhook judges: of a kind whose deletion can leave something open, with the stored object sent. */
export function isJudgedDeletion(request: ReviewRequest): boolean {
  if (request.operation !== 'DELETE' || request.oldObject === undefined || request.subResource !== '') return false;
  return admissionKindOf(request.kind.group, request.kind.version, request.kind.kind)?.deletions === true;
}

export function isJudged(request: ReviewRequest): boolean {
  if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return false;
  if (request.object === undefined || isBeingDeleted(request.object)) return false;
  const spec = admissionKindOf(request.kind.group, request.kind.version, request.kind.kind);
  return spec !== undefined && judgesSubresource(spec, request.subResource);
}
