/**
 * `check` reads manifests as kubectl does, measured against the real thing:
 * - every decoding case is sent with `kubectl create --dry-run=server -o json`, and what
 *   the API server returns holds every field `check` decoded, with the same value; a
 *   manifest the API server refuses is one `check` reports as invalid-object (or cannot
 *   read), with the API server's own message;
 * - generated manifests (YAML 1.1 scalars, quoting, anchors, merges, repeated keys, JSON
 *   streams) decode to what kubectl's own decoder (test/e2e/k8sbin/yamljson, built from
 *   k8s.io/apimachinery) produces.
 * kube-system is outside the webhook's registration, so the objects reach the API server's
 * decoding and validation alone.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, inject, it } from 'vitest';
import { DEFAULT_NAMESPACE } from '../../src/core/kubernetes/kinds.js';
import { evaluate, NO_VIEW } from '../../src/engine/evaluate.js';
import { parseManifests, type ManifestObject } from '../../src/manifests/parse-manifests.js';
import { splitStream } from '../../src/manifests/split-stream.js';
import { defaultPolicy } from '../../src/policy/policy.js';
import { RULES } from '../../src/rules/index.js';
import { manifestFile } from '../helpers/yaml-documents.js';
import { kubectl } from './kubectl.js';

const e2e = inject('e2e');
const kube = { kubectl: e2e.kubectl, kubeconfig: e2e.kubeconfig };
const NS = 'kube-system';
const POLICY = defaultPolicy(RULES);

const container = `
    - name: app
      image: registry.example.com/app:1.0`;

const pod = (name: string, spec: string, labels = '    app: web'): string => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels:
${labels}
spec:
${spec}`;

const deployment = (name: string, spec: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
${spec}`;

const templateSpec = `  template:
    metadata:
      labels: {app: web}
    spec:
      containers:${container.replaceAll('\n', '\n    ')}`;

/** Manifests kubectl reads and the API server stores: the decoded object must be what the server got. */
const ACCEPTED: readonly (readonly [string, string])[] = [
  ['yes and on are true, off false', pod('yaml11-bools', `  hostNetwork: yes\n  hostPID: off\n  enableServiceLinks: On\n  containers:${container}`)],
  ['0755 is octal, 0x1F hex, 1_000 without underscores', pod('yaml11-ints', `  terminationGracePeriodSeconds: 0755\n  containers:${container}\n      ports:\n        - containerPort: 0x1F90\n        - containerPort: 1_000`)],
  ['quoted words stay strings', pod('quoted', `  containers:${container}`, `    app: web\n    enabled: "yes"\n    mode: 'on'`)],
  ['a repeated key keeps its last value', pod('repeated', `  hostNetwork: false\n  containers:${container}\n  hostNetwork: true`)],
  [
    'merge keys apply in order: before an explicit key it is overridden, after it it replaces it',
    `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: merged
spec:
  podSelector:
    matchLabels: {app: api}
  <<: &defaults
    podSelector: {}
    policyTypes: [Ingress]
  ingress:
    - <<: &from-web
        from: [{podSelector: {matchLabels: {app: web}}}]
      ports: [{port: 8080}]
`,
  ],
  [
    'a merge list takes the earlier map first',
    deployment('merge-list', `  <<: [{replicas: 2}, {replicas: 5, revisionHistoryLimit: 3}]\n  selector:\n    matchLabels: {app: web}\n${templateSpec}`),
  ],
  ['anchors and aliases are copied', pod('aliases', `  containers:\n    - &c\n      name: app\n      image: registry.example.com/app:1.0\n  initContainers:\n    - <<: *c\n      name: init`)],
  ['a JSON manifest', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'json-map' }, data: { a: 'yes', b: '0755' } })],
  [
    'a JSON object, then YAML',
    `${JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'json-then-yaml-a' }, data: { a: '1' } })}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: json-then-yaml-b\ndata:\n  on: "yes"\n  "n": 'no'\n`,
  ],
  ['a stream of JSON objects', `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"stream-a"}}\n{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"stream-b"}}\n`],
  ['a List', `apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: list-a}\n    data: {y: "n"}\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: list-b}\n`],
  ['separators with comments and empty documents', `--- # first\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: separated\ndata:\n  x: 2024-01-01\n  t: 12:30\n---\n`],
  ['block scalars and folded text', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: blocks\ndata:\n  literal: |\n    yes\n    no\n  folded: >-\n    a\n    b\n  keep: |+\n    x\n\n`],
];

/** Manifests the API server refuses; `check` must say so. */
const REFUSED: readonly (readonly [string, string])[] = [
  ['a quoted bool', pod('quoted-bool', `  hostNetwork: "true"\n  containers:${container}`)],
  ['a boolean label value', pod('bool-label', `  containers:${container}`, `    app: web\n    canary: true`)],
  ['a quoted port number', pod('quoted-port', `  containers:${container}\n      ports:\n        - containerPort: "8080"`)],
  ['a fractional NetworkPolicy port', `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: fraction\nspec:\n  podSelector: {}\n  ingress:\n    - ports: [{port: 8443.5}]\n`],
  ['an empty Deployment selector', deployment('empty-selector', `  selector: {}\n${templateSpec}`)],
  ['negative replicas', deployment('negative', `  replicas: -1\n  selector:\n    matchLabels: {app: web}\n${templateSpec}`)],
  ['a Deployment restart policy other than Always', deployment('on-failure', `  selector:\n    matchLabels: {app: web}\n${templateSpec}\n      restartPolicy: OnFailure`)],
  ['a Job without a restart policy', `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: no-restart\nspec:\n  template:\n    spec:\n      containers:${container.replaceAll('\n', '\n    ')}\n`],
  ['a Pod without containers', pod('no-containers', '  containers: []')],
  ['two containers of one name', pod('twins', `  containers:${container}${container}`)],
];

interface Created {
  readonly code: number;
  readonly objects: readonly Record<string, unknown>[];
  readonly stderr: string;
}

async function createDryRun(text: string): Promise<Created> {
  const result = await kubectl(kube, ['create', '--dry-run=server', '-o', 'json', '-n', NS, '-f', '-'], text);
  if (result.code !== 0) return { code: result.code, objects: [], stderr: result.stderr };
  // kubectl prints one JSON object per object created, one after the other.
  const printed = splitStream(result.stdout).map((document) => JSON.parse(document.text) as Record<string, unknown>);
  const objects = printed.flatMap((object) => (object.kind === 'List' ? (object.items as Record<string, unknown>[]) : [object]));
  return { code: 0, objects, stderr: result.stderr };
}

/** A value the API server does not print (`omitempty`): absent and zero are the same to it. */
function isZero(value: unknown): boolean {
  return value === false || value === 0 || value === '' || value === null || (typeof value === 'object' && Object.keys(value).length === 0);
}

/** Every leaf of `ours` is in `theirs` with the same value (the server adds defaults and metadata). */
function leavesMissing(ours: unknown, theirs: unknown, path = ''): string[] {
  if (theirs === undefined && isZero(ours)) return [];
  if (ours === null || typeof ours !== 'object') return ours === theirs ? [] : [`${path}: ours ${JSON.stringify(ours)}, API server ${JSON.stringify(theirs)}`];
  if (theirs === null || typeof theirs !== 'object') return [`${path}: ours ${JSON.stringify(ours)}, API server ${JSON.stringify(theirs)}`];
  return Object.entries(ours).flatMap(([key, value]) => leavesMissing(value, (theirs as Record<string, unknown>)[key], `${path}.${key}`));
}

function invalidObjectFindings(entry: ManifestObject): { summary: string; apiServerMessage: string }[] {
  const verdict = evaluate(RULES, entry.object, { policy: POLICY, view: NO_VIEW, now: Date.now(), defaultNamespace: DEFAULT_NAMESPACE });
  return verdict.violations
    .filter((violation) => violation.rule === 'invalid-object')
    .map((violation) => ({ summary: violation.finding.summary, apiServerMessage: String(violation.finding.details?.apiServerMessage ?? '') }));
}

describe('check decodes manifests as the API server receives them from kubectl', () => {
  it.each(ACCEPTED)('%s', async (_label, text) => {
    const created = await createDryRun(text);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const ours = parseManifests(text, 'case.yaml');
    expect(ours.map((entry) => entry.object.kind)).toEqual(created.objects.map((object) => object.kind));
    ours.forEach((entry, index) => {
      expect(leavesMissing(entry.object, created.objects[index])).toEqual([]);
      expect(invalidObjectFindings(entry)).toEqual([]);
    });
  });

  it.each(REFUSED)('refuses %s, as the API server does', async (_label, text) => {
    const created = await createDryRun(text);
    expect(created.code).not.toBe(0);
    const [entry] = parseManifests(text, 'case.yaml');
    if (entry === undefined) throw new Error('no object read');
    const findings = invalidObjectFindings(entry);
    expect(findings.length).toBeGreaterThan(0);
    // The API server names the first problem (decoding) or all of them (validation); check's first is among them, in its words.
    // kubectl decodes metadata itself and names the file there ("unable to decode \"STDIN\": json: …").
    const message = findings[0]?.apiServerMessage.replace(/^error: unable to decode: /, '') ?? '';
    expect(created.stderr).toContain(message);
  });
});

describe('check decodes generated manifests as kubectl does', () => {
  it('agrees with kubectl’s own decoder on 2,000 generated files', () => {
    const files = fc.sample(manifestFile, { numRuns: 2000, seed: 20261202 });
    const reference = execFileSync(join(process.env.K8S_BIN_DIR ?? '', 'yamljson'), { input: `${files.map((file) => JSON.stringify(file)).join('\n')}\n`, maxBuffer: 1 << 28 })
      .toString()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { documents?: unknown[]; error?: string });
    const disagreements: string[] = [];
    let decoded = 0;
    files.forEach((file, index) => {
      const expected = reference[index];
      let ours: unknown[] | { error: string };
      try {
        ours = parseManifests(file, 'generated.yaml').map((entry) => entry.object);
      } catch (error: unknown) {
        ours = { error: (error as Error).message };
      }
      if (expected?.error !== undefined) {
        if (Array.isArray(ours)) disagreements.push(`kubectl refuses (${expected.error}), check reads it:\n${file}`);
        return;
      }
      decoded++;
      if (!Array.isArray(ours)) disagreements.push(`kubectl reads it, check refuses (${ours.error}):\n${file}`);
      else if (JSON.stringify(sorted(ours)) !== JSON.stringify(sorted(expected?.documents ?? []))) disagreements.push(`values differ:\n${file}`);
    });
    expect(disagreements.slice(0, 3)).toEqual([]);
    // The generator must reach the decoder, not only its errors.
    expect(decoded).toBeGreaterThan(500);
  });
});

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sorted((value as Record<string, unknown>)[key])]));
}
