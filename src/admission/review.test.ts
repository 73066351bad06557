import { describe, expect, it } from 'vitest';
import { admissionReview, defaultedPod, hostNetworkPod, ingressFrom, NETWORK_POLICY_GVK, POD_GVK, type JsonObject } from '../../test/helpers/review-builders.js';
import { GuardrailsError } from '../errors.js';
import { isJudged, OPERATIONS, parseReview, type ReviewRequest } from './review.js';

const NETPOL = ingressFrom('allow-world', ['0.0.0.0/0'], 'shop');
const REVIEW = admissionReview(NETPOL, { uid: '705ab4f5-6393-11e8-b7cc-42010a800002', username: 'alice', groups: ['system:authenticated', 'developers'] });
const REQUEST = REVIEW.request as JsonObject;

function withRequest(fields: Record<string, unknown>): JsonObject {
  return { ...REVIEW, request: { ...REQUEST, ...fields } };
}

function refusal(body: unknown): GuardrailsError {
  try {
    parseReview(body);
  } catch (error: unknown) {
    if (error instanceof GuardrailsError) return error;
    throw error;
  }
  throw new Error('parseReview accepted the body');
}

describe('parseReview', () => {
  it('reads an AdmissionReview as the API server sends it', () => {
    expect(parseReview(REVIEW)).toEqual({
      uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
      operation: 'CREATE',
      kind: NETWORK_POLICY_GVK,
      subResource: '',
      namespace: 'shop',
      name: 'allow-world',
      object: NETPOL,
      oldObject: undefined,
      username: 'alice',
      groups: ['system:authenticated', 'developers'],
      dryRun: false,
    } satisfies ReviewRequest);
  });

  it('reads the subresource, the dry-run flag and the core group of a Pod', () => {
    const pod = hostNetworkPod();
    const review = parseReview(admissionReview(pod, { operation: 'UPDATE', subResource: 'ephemeralcontainers', oldObject: pod, dryRun: true }));
    expect(review).toMatchObject({ operation: 'UPDATE', kind: POD_GVK, subResource: 'ephemeralcontainers', dryRun: true, object: pod });
  });

  it('defaults what the API server omits: subResource, namespace, name, userInfo, dryRun', () => {
    const minimal = { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u', operation: 'CREATE', kind: { kind: 'Pod' }, object: {} } };
    expect(parseReview(minimal)).toEqual({
      uid: 'u',
      operation: 'CREATE',
      kind: { group: '', version: '', kind: 'Pod' },
      subResource: '',
      namespace: '',
      name: '',
      object: {},
      username: '',
      groups: [],
      dryRun: false,
    });
  });

  it.each<[string, unknown, boolean]>([
    ['true', true, true],
    ['false', false, false],
    ['the string "true"', 'true', false],
    ['1', 1, false],
    ['null', null, false],
  ])('treats dryRun %s as %s', (_name, dryRun, expected) => {
    expect(parseReview(withRequest({ dryRun })).dryRun).toBe(expected);
  });

  it('keeps only the string groups and ignores a malformed userInfo', () => {
    expect(parseReview(withRequest({ userInfo: { username: 'bob', groups: ['ops', 42, null, { name: 'x' }, 'dev'] } })).groups).toEqual(['ops', 'dev']);
    expect(parseReview(withRequest({ userInfo: 'alice' }))).toMatchObject({ username: '', groups: [] });
    expect(parseReview(withRequest({ userInfo: { username: 7, groups: 'ops' } }))).toMatchObject({ username: '', groups: [] });
  });

  it('reads a DELETE with object null or absent as having no object', () => {
    expect(parseReview(withRequest({ operation: 'DELETE', object: null, oldObject: NETPOL })).object).toBeUndefined();
    expect(parseReview(withRequest({ operation: 'DELETE', object: undefined, oldObject: NETPOL })).object).toBeUndefined();
  });

  it('reads the connect options of a CONNECT as its object', () => {
    const options = { apiVersion: 'v1', kind: 'PodExecOptions', command: ['sh'] };
    expect(parseReview(withRequest({ operation: 'CONNECT', subResource: 'exec', object: options })).object).toEqual(options);
  });

  it.each(OPERATIONS)('accepts operation %s', (operation) => {
    expect(parseReview(withRequest({ operation })).operation).toBe(operation);
  });

  it.each<[string, unknown, RegExp]>([
    ['undefined', undefined, /^the body must be a JSON object \(an AdmissionReview\)$/],
    ['null', null, /^the body must be a JSON object/],
    ['an array', [REVIEW], /^the body must be a JSON object/],
    ['a string', JSON.stringify(REVIEW), /^the body must be a JSON object/],
    ['apiVersion v1beta1', { ...REVIEW, apiVersion: 'admission.k8s.io/v1beta1' }, /^expected apiVersion admission\.k8s\.io\/v1 and kind AdmissionReview, got "admission\.k8s\.io\/v1beta1" "AdmissionReview"$/],
    ['no apiVersion', { ...REVIEW, apiVersion: undefined }, /^expected apiVersion admission\.k8s\.io\/v1 and kind AdmissionReview, got undefined "AdmissionReview"$/],
    ['kind Pod', { ...REVIEW, kind: 'Pod' }, /got "admission\.k8s\.io\/v1" "Pod"$/],
    ['no request', { ...REVIEW, request: undefined }, /^request must be an object$/],
    ['request an array', { ...REVIEW, request: [REQUEST] }, /^request must be an object$/],
    ['request a string', { ...REVIEW, request: 'x' }, /^request must be an object$/],
    ['no uid', withRequest({ uid: undefined }), /^request\.uid must be a non-empty string$/],
    ['an empty uid', withRequest({ uid: '' }), /^request\.uid must be a non-empty string$/],
    ['a numeric uid', withRequest({ uid: 1 }), /^request\.uid must be a non-empty string$/],
    ['no operation', withRequest({ operation: undefined }), /^request\.operation must be one of CREATE, UPDATE, DELETE, CONNECT$/],
    ['operation PATCH', withRequest({ operation: 'PATCH' }), /^request\.operation must be one of CREATE, UPDATE, DELETE, CONNECT$/],
    ['operation create', withRequest({ operation: 'create' }), /^request\.operation must be one of/],
    ['no kind', withRequest({ kind: undefined }), /^request\.kind must be \{group, version, kind\}$/],
    ['kind a string', withRequest({ kind: 'NetworkPolicy' }), /^request\.kind must be \{group, version, kind\}$/],
    ['kind with an empty kind', withRequest({ kind: { group: '', version: 'v1', kind: '' } }), /^request\.kind must be/],
    ['kind with a numeric kind', withRequest({ kind: { group: '', version: 'v1', kind: 1 } }), /^request\.kind must be/],
    ['no object on CREATE', withRequest({ object: undefined }), /^request\.object must be an object$/],
    ['object null on UPDATE', withRequest({ operation: 'UPDATE', object: null }), /^request\.object must be an object$/],
    ['object an array', withRequest({ object: [NETPOL] }), /^request\.object must be an object$/],
    ['object a string on DELETE', withRequest({ operation: 'DELETE', object: 'gone' }), /^request\.object must be an object$/],
  ])('refuses %s with KG_BAD_REVIEW', (_name, body, message) => {
    const error = refusal(body);
    expect(error.code).toBe('KG_BAD_REVIEW');
    expect(error.message).toMatch(message);
  });

  it('checks the envelope, then uid, operation, kind and object, in that order', () => {
    expect(refusal({ ...REVIEW, kind: 'x', request: null }).message).toMatch(/^expected apiVersion/);
    expect(refusal(withRequest({ uid: '', operation: 'x', kind: null, object: null })).message).toMatch(/uid/);
    expect(refusal(withRequest({ operation: 'x', kind: null, object: null })).message).toMatch(/operation/);
    expect(refusal(withRequest({ kind: null, object: null })).message).toMatch(/kind/);
  });

  it('reads own properties only, never inherited ones', () => {
    const inherited = Object.create(REVIEW) as JsonObject;
    expect(refusal(inherited).message).toMatch(/^expected apiVersion/);
    const own: Record<string, unknown> = { ...REQUEST };
    delete own.uid;
    const request = Object.assign(Object.create({ uid: 'inherited' }) as JsonObject, own);
    expect(refusal({ ...REVIEW, request }).message).toMatch(/uid/);
  });
});

describe('isJudged', () => {
  function request(fields: Partial<ReviewRequest>): ReviewRequest {
    return { ...parseReview(REVIEW), ...fields };
  }

  const pod = defaultedPod('web', { containers: [] }, { app: 'web' });

  it.each<[string, Partial<ReviewRequest>, boolean]>([
    ['CREATE of a NetworkPolicy', {}, true],
    ['UPDATE of a NetworkPolicy', { operation: 'UPDATE' }, true],
    ['CREATE of a Pod', { kind: POD_GVK, object: pod }, true],
    ['UPDATE of a Pod', { kind: POD_GVK, object: pod, operation: 'UPDATE' }, true],
    ['DELETE of a NetworkPolicy', { operation: 'DELETE', object: undefined }, false],
    ['DELETE with an object', { operation: 'DELETE' }, false],
    ['CONNECT', { operation: 'CONNECT', kind: { group: '', version: 'v1', kind: 'PodExecOptions' } }, false],
    ['a pods/status update (it can change the labels rules read)', { kind: POD_GVK, object: pod, operation: 'UPDATE', subResource: 'status' }, true],
    ['a networkpolicies/status update', { operation: 'UPDATE', subResource: 'status' }, false],
    ['a pods/ephemeralcontainers update', { kind: POD_GVK, object: pod, operation: 'UPDATE', subResource: 'ephemeralcontainers' }, false],
    ['a Deployment', { kind: { group: 'apps', version: 'v1', kind: 'Deployment' } }, true],
    ['a CronJob', { kind: { group: 'batch', version: 'v1', kind: 'CronJob' } }, true],
    ['a Namespace', { kind: { group: '', version: 'v1', kind: 'Namespace' } }, true],
    ['a Deployment scaled through deployments/scale', { kind: { group: 'apps', version: 'v1', kind: 'Deployment' }, operation: 'UPDATE', subResource: 'scale' }, false],
    ['an extensions/v1beta1 Deployment (no longer served)', { kind: { group: 'extensions', version: 'v1beta1', kind: 'Deployment' } }, false],
    ['a ConfigMap', { kind: { group: '', version: 'v1', kind: 'ConfigMap' } }, false],
    ['a Calico NetworkPolicy', { kind: { group: 'projectcalico.org', version: 'v3', kind: 'NetworkPolicy' } }, false],
    ['a networking.k8s.io/v1beta1 NetworkPolicy', { kind: { group: 'networking.k8s.io', version: 'v1beta1', kind: 'NetworkPolicy' } }, false],
    ['a Pod in the wrong group', { kind: { group: 'apps', version: 'v1', kind: 'Pod' } }, false],
    ['an UPDATE of a Pod being deleted (only finalizers can change)', { kind: POD_GVK, operation: 'UPDATE', object: { ...pod, metadata: { ...(pod.metadata as JsonObject), deletionTimestamp: '2026-06-01T12:00:00Z' } } }, false],
    ['an UPDATE of a Pod whose deletionTimestamp is null (not being deleted)', { kind: POD_GVK, operation: 'UPDATE', object: { ...pod, metadata: { ...(pod.metadata as JsonObject), deletionTimestamp: null } } }, true],
  ])('%s → %s', (_name, fields, expected) => {
    expect(isJudged(request(fields))).toBe(expected);
  });
});
