/**
 * Whatever reaches POST /validate, the webhook answers with a short JSON error (400, or
 * 413 for size) or a proper AdmissionReview: never a 5xx, never a stack trace, never a
 * crash. A corpus of known-bad bodies, then fast-check on arbitrary ones.
 */
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admissionReview, egressToWorld, hostNetworkPod, ingressFrom, NETWORK_POLICY_GVK, plainPod, POD_GVK, uidOf, withField, type JsonObject } from '../../test/helpers/review-builders.js';
import { LOG_LEVEL, reviewServer, VALIDATE_URL, type ReviewServer } from '../../test/helpers/review-server.js';
import { OPERATIONS } from '../admission/review.js';
import { MAX_JSON_DEPTH } from './json-body.js';

const ERROR_CODES = ['KG_BAD_REVIEW', 'KG_BODY_TOO_LARGE'];
/** A stack frame, a source position or an installed module: nothing of the sort belongs in a body. */
const STACK = /\n\s*at |\bat .+:\d+:\d+|\.[cm]?[jt]s:\d+|node_modules|\/work\//;
const MIB = 1024 * 1024;

const GOOD = admissionReview(ingressFrom('allow-world', ['0.0.0.0/0']), { uid: 'good-0000-4000-8000-000000000001' });
const goodRequest = GOOD.request as JsonObject;

/** The good review with `request` replaced field by field; undefined removes the field. */
function withRequest(fields: Record<string, unknown>): string {
  return JSON.stringify({ ...GOOD, request: { ...goodRequest, ...fields } });
}

/** The good review's JSON with `fragment` spliced in as the first member of the object at `marker`. */
function spliced(marker: '{"apiVersion"' | '"request":{' | '"metadata":{' | '"labels":{', fragment: string): string {
  const text = JSON.stringify(withField(GOOD, ['request', 'object', 'metadata', 'labels'], { app: 'x' }));
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`marker ${marker} not found`);
  const open = marker === '{"apiVersion"' ? at + 1 : at + marker.length;
  return `${text.slice(0, open)}${fragment},${text.slice(open)}`;
}

function nested(depth: number, open = '[', close = ']'): string {
  return `${open.repeat(depth)}${close.repeat(depth)}`;
}

/** POSTs to /validate; a null content type sends no Content-Type header. */
function post(app: ReviewServer, payload: string | undefined, contentType: string | null = 'application/json'): Promise<LightMyRequestResponse> {
  return app.app.inject({
    method: 'POST',
    url: VALIDATE_URL,
    headers: contentType === null ? {} : { 'content-type': contentType },
    ...(payload === undefined ? {} : { payload }),
  });
}

function expectRefusal(response: LightMyRequestResponse, status: number, code: string): void {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const body = response.json<Record<string, unknown>>();
  expect(Object.keys(body).sort()).toEqual(['code', 'message']);
  expect(body.code).toBe(code);
  expect(body.message).toEqual(expect.any(String));
  expect(response.body).not.toMatch(STACK);
}

interface Case {
  readonly name: string;
  readonly payload: string | undefined;
  /** Default application/json; null: no Content-Type header. */
  readonly contentType?: string | null;
  readonly message: RegExp;
}

const OBJECT_MESSAGE = /request\.object must be an object/;

const CORPUS: readonly Case[] = [
  { name: 'truncated JSON', payload: JSON.stringify(GOOD).slice(0, 200), message: /not valid JSON/ },
  { name: 'single-quoted JSON', payload: "{'apiVersion': 'admission.k8s.io/v1'}", message: /not valid JSON/ },
  { name: 'JSON with a trailing comma', payload: '{"apiVersion":"admission.k8s.io/v1",}', message: /not valid JSON/ },
  { name: 'NaN', payload: 'NaN', message: /not valid JSON/ },
  { name: 'YAML', payload: 'apiVersion: admission.k8s.io/v1\nkind: AdmissionReview\n', message: /not valid JSON/ },
  { name: 'an empty body', payload: '', message: /empty/ },
  { name: 'no body and no content type', payload: undefined, contentType: null, message: /JSON object/ },
  { name: 'a JSON array', payload: '[]', message: /JSON object/ },
  { name: 'an array of reviews', payload: JSON.stringify([GOOD]), message: /JSON object/ },
  { name: 'a JSON string', payload: '"AdmissionReview"', message: /JSON object/ },
  { name: 'a JSON number', payload: '42', message: /JSON object/ },
  { name: 'JSON null', payload: 'null', message: /JSON object/ },
  { name: 'JSON true', payload: 'true', message: /JSON object/ },
  { name: 'a good review as text/plain', payload: JSON.stringify(GOOD), contentType: 'text/plain', message: /content type must be application\/json/ },
  { name: 'a good review as a form', payload: JSON.stringify(GOOD), contentType: 'application/x-www-form-urlencoded', message: /content type/ },
  { name: 'a good review as application/yaml', payload: JSON.stringify(GOOD), contentType: 'application/yaml', message: /content type/ },
  { name: 'a good review as a merge patch', payload: JSON.stringify(GOOD), contentType: 'application/merge-patch+json', message: /content type/ },
  { name: 'a good review without a content type', payload: JSON.stringify(GOOD), contentType: null, message: /content type/ },
  { name: 'apiVersion admission.k8s.io/v1beta1', payload: JSON.stringify({ ...GOOD, apiVersion: 'admission.k8s.io/v1beta1' }), message: /admission\.k8s\.io\/v1 .*v1beta1/ },
  { name: 'no apiVersion', payload: JSON.stringify({ ...GOOD, apiVersion: undefined }), message: /expected apiVersion/ },
  { name: 'kind AdmissionReviewList', payload: JSON.stringify({ ...GOOD, kind: 'AdmissionReviewList' }), message: /AdmissionReviewList/ },
  { name: 'kind admissionreview (wrong case)', payload: JSON.stringify({ ...GOOD, kind: 'admissionreview' }), message: /expected apiVersion/ },
  { name: 'a response instead of a request', payload: JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'x', allowed: true } }), message: /request must be an object/ },
  { name: 'request null', payload: JSON.stringify({ ...GOOD, request: null }), message: /request must be an object/ },
  { name: 'request a string', payload: JSON.stringify({ ...GOOD, request: 'CREATE' }), message: /request must be an object/ },
  { name: 'request an array', payload: JSON.stringify({ ...GOOD, request: [goodRequest] }), message: /request must be an object/ },
  { name: 'no uid', payload: withRequest({ uid: undefined }), message: /request\.uid must be a non-empty string/ },
  { name: 'an empty uid', payload: withRequest({ uid: '' }), message: /request\.uid must be a non-empty string/ },
  { name: 'a numeric uid', payload: withRequest({ uid: 42 }), message: /request\.uid must be a non-empty string/ },
  { name: 'a null uid', payload: withRequest({ uid: null }), message: /request\.uid must be a non-empty string/ },
  { name: 'an object uid', payload: withRequest({ uid: { value: 'x' } }), message: /request\.uid must be a non-empty string/ },
  { name: 'no operation', payload: withRequest({ operation: undefined }), message: /request\.operation must be one of CREATE, UPDATE, DELETE, CONNECT/ },
  { name: 'operation PATCH', payload: withRequest({ operation: 'PATCH' }), message: /request\.operation must be one of/ },
  { name: 'operation create (lower case)', payload: withRequest({ operation: 'create' }), message: /request\.operation must be one of/ },
  { name: 'no kind', payload: withRequest({ kind: undefined }), message: /request\.kind must be/ },
  { name: 'kind a string', payload: withRequest({ kind: 'NetworkPolicy' }), message: /request\.kind must be/ },
  { name: 'kind with an empty kind', payload: withRequest({ kind: { group: 'networking.k8s.io', version: 'v1', kind: '' } }), message: /request\.kind must be/ },
  { name: 'no object on CREATE', payload: withRequest({ object: undefined }), message: OBJECT_MESSAGE },
  { name: 'object null on CREATE', payload: withRequest({ object: null }), message: OBJECT_MESSAGE },
  { name: 'object null on UPDATE', payload: withRequest({ operation: 'UPDATE', object: null, oldObject: goodRequest.object }), message: OBJECT_MESSAGE },
  { name: 'object a string', payload: withRequest({ object: 'kind: NetworkPolicy' }), message: OBJECT_MESSAGE },
  { name: 'object an array', payload: withRequest({ object: [goodRequest.object] }), message: OBJECT_MESSAGE },
  { name: 'object a number on DELETE', payload: withRequest({ operation: 'DELETE', object: 0 }), message: OBJECT_MESSAGE },
  { name: 'a __proto__ key at the top', payload: spliced('{"apiVersion"', '"__proto__":{"allowed":true}'), message: /not valid JSON/ },
  { name: 'a __proto__ key in request', payload: spliced('"request":{', '"__proto__":{"uid":"forged"}'), message: /not valid JSON/ },
  { name: 'a __proto__ key in the object labels', payload: spliced('"labels":{', '"__proto__":{"app":"x"}'), message: /not valid JSON/ },
  { name: 'a __proto__ key inside an array', payload: withRequest({ extra: [1, 2, '__PROTO__'] }).replace('"__PROTO__"', '{"__proto__":{"isAdmin":true}}'), message: /not valid JSON/ },
  { name: 'constructor.prototype in the object metadata', payload: spliced('"metadata":{', '"constructor":{"prototype":{"polluted":true}}'), message: /not valid JSON/ },
  { name: 'constructor.prototype at the top', payload: spliced('{"apiVersion"', '"constructor":{"prototype":{"allowed":true}}'), message: /not valid JSON/ },
  { name: 'arrays nested 10,000 levels at the top', payload: nested(10_000), message: /nests deeper than 128 levels/ },
  { name: 'objects nested 10,000 levels at the top', payload: `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`, message: /nests deeper than 128 levels/ },
  { name: 'arrays nested 10,000 levels in the object', payload: withRequest({ object: { apiVersion: 'v1', kind: 'Pod', spec: { x: 'DEEP' } } }).replace('"DEEP"', nested(10_000)), message: /nests deeper than/ },
  { name: `JSON nested ${MAX_JSON_DEPTH + 1} levels`, payload: withRequest({ deep: 'DEEP' }).replace('"DEEP"', nested(MAX_JSON_DEPTH - 1)), message: /nests deeper than/ },
];

describe('malformed AdmissionReviews', () => {
  let server: ReviewServer;
  beforeAll(() => {
    server = reviewServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it.each(CORPUS.map((entry) => [entry.name, entry] as const))('refuses %s with 400 KG_BAD_REVIEW and a short JSON error', async (_name, entry) => {
    const response = await post(server, entry.payload, entry.contentType);
    expectRefusal(response, 400, 'KG_BAD_REVIEW');
    expect(response.json<{ message: string }>().message).toMatch(entry.message);
  });

  it('refuses a body over 8 MiB with 413 KG_BODY_TOO_LARGE', async () => {
    const payload = withRequest({ padding: 'x'.repeat(8 * MIB) });
    expectRefusal(await post(server, payload), 413, 'KG_BODY_TOO_LARGE');
  });

  it('answers GET /validate with a JSON 404', async () => {
    const response = await server.app.inject({ method: 'GET', url: VALIDATE_URL });
    expectRefusal(response, 404, 'KG_NOT_FOUND');
  });

  it.each([
    ['a review nesting exactly 128 levels', withRequest({ deep: 'DEEP' }).replace('"DEEP"', nested(MAX_JSON_DEPTH - 2))],
    ['brackets and escaped quotes inside strings', withRequest({ note: `${'{['.repeat(5_000)}\\"\\\\"${'\\"'.repeat(1_000)}` })],
    ['a review of 7 MiB', withRequest({ padding: 'x'.repeat(7 * MIB) })],
  ])('still judges %s', async (_name, payload) => {
    const response = await post(server, payload);
    expect(response.statusCode).toBe(200);
    expect(response.json<{ response: { uid: string; allowed: boolean } }>().response).toMatchObject({ uid: uidOf(GOOD), allowed: false });
  });

  it('counts every refusal by code and logs it as a warning, not an error', async () => {
    const metrics = await server.metricsText();
    expect(metrics).toMatch(/kube_guardrails_bad_requests_total\{code="KG_BAD_REVIEW"\} \d+/);
    expect(metrics).toContain('kube_guardrails_bad_requests_total{code="KG_BODY_TOO_LARGE"} 1');
    const logs = server.logs();
    expect(logs.filter((line) => line.msg === 'bad request').length).toBeGreaterThanOrEqual(CORPUS.length);
    expect(logs.filter((line) => line.level >= LOG_LEVEL.error)).toEqual([]);
  });

  it('still answers a good review after the whole corpus', async () => {
    const response = await post(server, JSON.stringify(GOOD));
    expect(response.statusCode).toBe(200);
    expect(response.json<{ response: unknown }>().response).toMatchObject({ uid: uidOf(GOOD), allowed: false, status: { code: 403 } });
  });
});

// Arbitrary bodies: never a 5xx; a 200 is always a proper answer for the uid sent.

const junk = fc.jsonValue({ maxDepth: 3 });

const BASES: readonly JsonObject[] = [ingressFrom('world', ['0.0.0.0/0']), egressToWorld('egress', 2), plainPod(), hostNetworkPod()];
const FIELD_PATHS: readonly (readonly string[])[] = [
  ['metadata'],
  ['metadata', 'name'],
  ['metadata', 'namespace'],
  ['metadata', 'labels'],
  ['metadata', 'labels', 'app'],
  ['metadata', 'annotations'],
  ['kind'],
  ['apiVersion'],
  ['spec'],
  ['spec', 'podSelector'],
  ['spec', 'podSelector', 'matchExpressions'],
  ['spec', 'policyTypes'],
  ['spec', 'ingress'],
  ['spec', 'egress'],
  ['spec', 'hostNetwork'],
  ['spec', 'containers'],
  ['spec', 'initContainers'],
  ['spec', 'ephemeralContainers'],
];

/** A realistic object with a few fields replaced by junk. */
const mangledObject = fc
  .tuple(fc.constantFrom(...BASES), fc.array(fc.tuple(fc.constantFrom(...FIELD_PATHS), junk), { maxLength: 4 }))
  .map(([base, edits]) => edits.reduce((object, [path, value]) => withField(object, path, value), base));

/** Mostly `likely`, sometimes junk: most samples get past the envelope checks and reach the rules. */
function mostly<T>(likely: fc.Arbitrary<T>): fc.Arbitrary<T | fc.JsonValue> {
  return fc.oneof({ arbitrary: likely, weight: 9 }, { arbitrary: junk, weight: 1 });
}

const gvk = mostly(
  fc.oneof(
    { arbitrary: fc.constantFrom(NETWORK_POLICY_GVK, POD_GVK), weight: 6 },
    { arbitrary: fc.constant({ group: 'apps', version: 'v1', kind: 'Deployment' }), weight: 1 },
    { arbitrary: fc.record({ group: junk, version: junk, kind: fc.oneof(fc.string(), junk) }, { requiredKeys: [] }), weight: 1 },
  ),
);

const request = fc.record(
  {
    uid: mostly(fc.oneof(fc.uuid(), fc.string({ minLength: 1 }))),
    kind: gvk,
    operation: mostly(fc.constantFrom<string>('CREATE', 'CREATE', 'UPDATE', ...OPERATIONS)),
    subResource: mostly(fc.constantFrom('', '', '', 'status', 'ephemeralcontainers')),
    namespace: mostly(fc.constantFrom('team-a', '', 'kube-system')),
    name: fc.oneof(fc.string(), junk),
    userInfo: mostly(fc.record({ username: fc.oneof(fc.string(), junk), groups: fc.oneof(fc.array(fc.oneof(fc.string(), junk)), junk) }, { requiredKeys: [] })),
    object: mostly(mangledObject),
    oldObject: fc.oneof(mangledObject, fc.constant(null), junk),
    dryRun: fc.oneof(fc.boolean(), junk),
    options: junk,
  },
  { requiredKeys: ['uid', 'kind', 'operation', 'object'] },
);

const reviewShaped = fc
  .tuple(
    fc.record({ apiVersion: mostly(fc.constant('admission.k8s.io/v1')), kind: mostly(fc.constant('AdmissionReview')), request: mostly(request) }),
    fc.dictionary(fc.string(), junk, { maxKeys: 3 }),
  )
  .map(([review, extra]) => ({ ...extra, ...review }));

function requestUidOf(body: unknown): unknown {
  return ((body as { request?: { uid?: unknown } }).request ?? {}).uid;
}

async function expectSound(server: ReviewServer, body: unknown): Promise<void> {
  const response = await post(server, JSON.stringify(body));
  expect(response.statusCode).toBeLessThan(500);
  if (response.statusCode === 200) {
    const answer = response.json<{ apiVersion: string; kind: string; response: { uid: unknown; allowed: unknown } }>();
    expect(answer.apiVersion).toBe('admission.k8s.io/v1');
    expect(answer.kind).toBe('AdmissionReview');
    expect(answer.response.uid).toBe(requestUidOf(body));
    expect(typeof answer.response.allowed).toBe('boolean');
  } else {
    expect(ERROR_CODES).toContain(response.json<{ code: string }>().code);
    expect(response.body).not.toMatch(STACK);
  }
}

describe('arbitrary bodies', () => {
  let server: ReviewServer;
  beforeAll(() => {
    server = reviewServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('never answers an arbitrary JSON value with a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), (body) => expectSound(server, body)),
      { numRuns: 150 },
    );
  });

  it('never answers an AdmissionReview-shaped record with junk fields with a 5xx, and echoes the uid on every 200', async () => {
    await fc.assert(
      fc.asyncProperty(reviewShaped, (body) => expectSound(server, body)),
      { numRuns: 400 },
    );
  });

  it('still answers a good review afterwards, and logged no internal error', async () => {
    const review = admissionReview(plainPod());
    expect((await server.validate(review)).response).toMatchObject({ uid: uidOf(review), allowed: true });
    expect(server.logs().filter((line) => line.level >= LOG_LEVEL.error)).toEqual([]);
  });
});

describe('error answers stay small', () => {
  it('keeps the error answer and its log line short when the body carries a huge wrong apiVersion', async () => {
    const server = reviewServer();
    try {
      const response = await post(server, JSON.stringify({ ...GOOD, apiVersion: 'v'.repeat(MIB) }));
      expect(response.statusCode).toBe(400);
      expect(response.body.length).toBeLessThan(2048);
      expect(server.logText().length).toBeLessThan(4096);
    } finally {
      await server.close();
    }
  });
});
