import { describe, expect, it } from 'vitest';
import { GuardrailsError } from '../errors.js';
import { parseManifests, type ManifestObject } from './parse-manifests.js';
import { readFast } from './read-fast.js';

// The expected objects are what kubectl 1.33's own decoder (apimachinery's YAMLOrJSONDecoder
// over sigs.k8s.io/yaml) produced for the same text; they are compared by value.

const SOURCE = 'f.yaml';
const parse = (text: string): ManifestObject[] => parseManifests(text, SOURCE);
const objects = (text: string): unknown[] => parse(text).map((manifest) => manifest.object);

function only(text: string): ManifestObject {
  const manifests = parse(text);
  expect(manifests).toHaveLength(1);
  const [manifest] = manifests;
  if (manifest === undefined) throw new Error('no object');
  return manifest;
}

function failure(text: string): GuardrailsError {
  try {
    parse(text);
  } catch (error: unknown) {
    if (error instanceof GuardrailsError) return error;
    throw error;
  }
  throw new Error('expected a GuardrailsError');
}

const lines = (...text: string[]): string => `${text.join('\n')}\n`;

describe('parseManifests: a realistic Deployment', () => {
  const text = lines(
    'apiVersion: apps/v1', // 1
    'kind: Deployment',
    'metadata:',
    '  name: web',
    '  namespace: shop', // 5
    '  labels:',
    '    app: web',
    '    enabled: yes',
    '    version: 1.10',
    'spec:', // 10
    '  replicas: 3',
    '  selector:',
    '    matchLabels:',
    '      app: web',
    '  template:', // 15
    '    metadata:',
    '      labels:',
    '        app: web',
    '    spec:',
    '      containers:', // 20
    '        - name: web',
    '          image: nginx:1.27',
    '          ports:',
    '            - containerPort: 8080',
    '              protocol: TCP', // 25
    '          env:',
    '            - name: MODE',
    '              value: 0755',
    '            - name: DEBUG',
    '              value: off', // 30
  );

  it('decodes YAML 1.1 scalars as kubectl does', () => {
    expect(objects(text)).toEqual([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'shop', labels: { app: 'web', enabled: true, version: 1.1 } },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: {
              containers: [
                {
                  name: 'web',
                  image: 'nginx:1.27',
                  ports: [{ containerPort: 8080, protocol: 'TCP' }],
                  env: [
                    { name: 'MODE', value: 493 },
                    { name: 'DEBUG', value: false },
                  ],
                },
              ],
            },
          },
        },
      },
    ]);
  });

  it('has no replaced keys', () => {
    expect(only(text).source).toEqual({ replacedKeys: [] });
  });

  it.each([
    [[], 1],
    [['metadata'], 3],
    [['metadata', 'labels', 'enabled'], 8],
    [['spec', 'replicas'], 11],
    [['spec', 'template', 'spec', 'containers', 0], 21],
    [['spec', 'template', 'spec', 'containers', 0, 'ports', 0, 'containerPort'], 24],
    [['spec', 'template', 'spec', 'containers', 0, 'env', 1], 29],
    [['spec', 'template', 'spec', 'containers', 0, 'env', 1, 'value'], 30],
    // Absent fields: the nearest present parent.
    [['spec', 'template', 'spec', 'containers', 5], 20],
    [['spec', 'nothere', 'deeper'], 10],
    [['metadata', 'name', 'x'], 4],
  ])('finds the line of %j: %d', (path, line) => {
    const manifest = only(text);
    expect(manifest.line).toBe(1);
    expect(manifest.lineOf(path)).toBe(line);
  });
});

describe('parseManifests: merge keys', () => {
  it('lets explicit keys after `<<: *base` win, with lines where the merged values were written', () => {
    const manifest = only(
      lines(
        'apiVersion: v1',
        'kind: Pod',
        'metadata:',
        '  name: p',
        '  labels: &base', // 5
        '    app: web',
        '    tier: front',
        '  annotations:',
        '    <<: *base',
        '    tier: back', // 10
        'spec:',
        '  containers:',
        '  - name: a',
        '    image: nginx',
      ),
    );
    expect(manifest.object).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', labels: { app: 'web', tier: 'front' }, annotations: { app: 'web', tier: 'back' } },
      spec: { containers: [{ name: 'a', image: 'nginx' }] },
    });
    expect(manifest.source.replacedKeys).toEqual([]);
    expect(manifest.lineOf(['metadata', 'annotations', 'app'])).toBe(6);
    expect(manifest.lineOf(['metadata', 'annotations', 'tier'])).toBe(10);
    expect(manifest.lineOf(['metadata', 'annotations'])).toBe(8);
  });

  it('lets a `<<` after explicit keys replace them (go-yaml v2), recording it byMerge', () => {
    const manifest = only(
      lines(
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        '  name: c',
        '  labels: &l', // 5
        '    app: web',
        '    tier: front',
        '  annotations:',
        '    tier: back',
        '    owner: me', // 10
        '    <<: *l',
      ),
    );
    expect(manifest.object).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', labels: { app: 'web', tier: 'front' }, annotations: { app: 'web', owner: 'me', tier: 'front' } },
    });
    expect(manifest.source.replacedKeys).toEqual([{ path: ['metadata', 'annotations', 'tier'], droppedLine: 9, keptLine: 7, byMerge: true }]);
    expect(manifest.lineOf(['metadata', 'annotations', 'tier'])).toBe(7);
    expect(manifest.lineOf(['metadata', 'annotations', 'app'])).toBe(6);
    expect(manifest.lineOf(['metadata', 'annotations', 'owner'])).toBe(10);
  });

  it('gives the earlier map of `<<: [*a, *b]` precedence', () => {
    const manifest = only(
      lines(
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        '  name: c',
        '  labels: &a', // 5
        '    k: a',
        '    onlyA: x',
        '  annotations: &b',
        '    k: b',
        '    onlyB: yy', // 10
        'data:',
        '  <<: [*a, *b]',
        '  own: z',
      ),
    );
    expect(manifest.object).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', labels: { k: 'a', onlyA: 'x' }, annotations: { k: 'b', onlyB: 'yy' } },
      data: { k: 'a', onlyA: 'x', onlyB: 'yy', own: 'z' },
    });
    expect(manifest.source.replacedKeys).toEqual([]);
    expect(manifest.lineOf(['data', 'k'])).toBe(6);
    expect(manifest.lineOf(['data', 'onlyB'])).toBe(10);
    expect(manifest.lineOf(['data', 'own'])).toBe(13);
  });

  it('records an explicit key replaced by a later merge list', () => {
    const manifest = only(
      lines(
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        '  name: c',
        '  labels: &a {k: a}', // 5
        '  annotations: &b {k: b, j: b}',
        'data:',
        '  k: own',
        '  <<: [*a, *b]',
      ),
    );
    expect(manifest.object).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', labels: { k: 'a' }, annotations: { k: 'b', j: 'b' } },
      data: { k: 'a', j: 'b' },
    });
    expect(manifest.source.replacedKeys).toEqual([{ path: ['data', 'k'], droppedLine: 8, keptLine: 5, byMerge: true }]);
    expect(manifest.lineOf(['data', 'k'])).toBe(5);
    expect(manifest.lineOf(['data', 'j'])).toBe(6);
  });

  it('applies merges of maps that merge themselves', () => {
    const manifest = only(
      lines(
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        '  name: c',
        '  labels: &a {x: "1", w: "1"}', // 5
        '  annotations: &b',
        '    <<: *a',
        '    w: "2"',
        '    z: "2"',
        'data:', // 10
        '  <<: *b',
        '  z: "3"',
      ),
    );
    expect(manifest.object).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', labels: { x: '1', w: '1' }, annotations: { x: '1', w: '2', z: '2' } },
      data: { x: '1', w: '2', z: '3' },
    });
    expect(manifest.source.replacedKeys).toEqual([]);
    expect(manifest.lineOf(['data', 'x'])).toBe(5);
    expect(manifest.lineOf(['data', 'w'])).toBe(8);
    expect(manifest.lineOf(['data', 'z'])).toBe(12);
  });

  it('lets the later of two `<<` keys win', () => {
    const manifest = only(lines('apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: c', '  labels: &a {x: "1"}', '  annotations: &b {x: "2"}', 'data:', '  <<: *a', '  <<: *b'));
    expect(manifest.object).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { x: '1' }, annotations: { x: '2' } }, data: { x: '2' } });
    expect(manifest.source.replacedKeys).toEqual([]);
    expect(manifest.lineOf(['data', 'x'])).toBe(6);
  });

  it('merges an inline map over an earlier key', () => {
    const manifest = only(lines('apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: c', 'data:', '  x: "0"', '  <<: {x: "1", w: "2"}'));
    expect(manifest.object).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { x: '1', w: '2' } });
    expect(manifest.source.replacedKeys).toEqual([{ path: ['data', 'x'], droppedLine: 6, keptLine: 7, byMerge: true }]);
    expect(manifest.lineOf(['data', 'x'])).toBe(7);
  });

  it('treats `!!merge <<` as a merge and a quoted "<<" as an ordinary key', () => {
    expect(objects(lines('apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: c', 'data:', '  !!merge <<: {x: "1"}'))).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { x: '1' } },
    ]);
    const quoted = only(lines('apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: c', 'data:', '  "<<": {x: 1}', "  '<<': 2"));
    expect(quoted.object).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { '<<': 2 } });
    expect(quoted.source.replacedKeys).toEqual([{ path: ['data', '<<'], droppedLine: 6, keptLine: 7, byMerge: false }]);
  });

  it.each([
    ['a scalar', '  <<: scalar'],
    ['a list holding a scalar', '  <<: [{a: 1}, 2]'],
  ])('refuses a merge of %s', (_name, line) => {
    const error = failure(lines('apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: c', 'data:', line));
    expect(error.code).toBe('KG_BAD_MANIFEST');
    expect(error.message).toMatch(/^f\.yaml:6: /);
    expect(error.message).toContain('map merge requires map or sequence of maps as the value');
  });
});

describe('parseManifests: anchors and aliases', () => {
  const text = lines(
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: d',
    '  labels: &labels', // 5
    '    app: web',
    'spec:',
    '  selector:',
    '    matchLabels: *labels',
    '  template:', // 10
    '    metadata:',
    '      labels: *labels',
    '    spec:',
    '      containers:',
    '      - &c', // 15
    '        name: a',
    '        image: nginx',
    '      - <<: *c',
    '        name: b',
  );

  it('expands aliases, and merges of an aliased list item', () => {
    expect(objects(text)).toEqual([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'd', labels: { app: 'web' } },
        spec: {
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: {
              containers: [
                { name: 'a', image: 'nginx' },
                { name: 'b', image: 'nginx' },
              ],
            },
          },
        },
      },
    ]);
  });

  it.each([
    [['spec', 'template', 'spec', 'containers', 1], 18],
    [['spec', 'template', 'spec', 'containers', 1, 'name'], 19],
    [['spec', 'template', 'spec', 'containers', 1, 'image'], 17],
    [['spec', 'selector', 'matchLabels', 'app'], 6],
  ])('finds %j on line %d', (path, line) => {
    expect(only(text).lineOf(path)).toBe(line);
  });

  it('refuses a document with excessive aliasing (billion laughs)', () => {
    const levels = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) levels.push(`a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(',')}]`);
    const error = failure(lines('apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: c', ...levels));
    expect(error.message).toContain('yaml: document contains excessive aliasing');
  });

  describe('at the edge of the aliasing limit', () => {
    const levels = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]', `a1: &a1 [${'*a0,'.repeat(8)}*a0]`, `a2: &a2 [${'*a1,'.repeat(8)}*a1]`, `a3: &a3 [${'*a2,'.repeat(8)}*a2]`];

    it('accepts three levels of nine', () => {
      const [manifest] = parse(lines('apiVersion: v1', 'kind: ConfigMap', ...levels.slice(0, 3)));
      const a2 = manifest?.object.a2 as string[][][];
      expect(a2).toHaveLength(9);
      expect(a2.flat(2)).toEqual(Array.from({ length: 729 }, () => 'lol'));
    });

    it('refuses four', () => {
      expect(failure(lines('apiVersion: v1', 'kind: ConfigMap', ...levels)).message).toContain('yaml: document contains excessive aliasing');
    });
  });

  it('accepts many aliases among many plain nodes', () => {
    const own = Array.from({ length: 1200 }, (_, i) => `  k${i}: v`);
    const aliased = Array.from({ length: 200 }, (_, i) => `  a${i}: *x`);
    const [manifest] = parse(lines('apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: c', 'x: &x v', 'data:', ...own, ...aliased));
    const data = manifest?.object.data as Record<string, string>;
    expect(Object.keys(data)).toHaveLength(1400);
    expect(data.k1199).toBe('v');
    expect(data.a199).toBe('v');
  });
});

describe('parseManifests: repeated keys', () => {
  it('keeps the last value and records each replaced key with its lines', () => {
    const manifest = only(lines('apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: first', '  name: second', 'data:', '  k: "1"', '  other: x', '  k: "2"'));
    expect(manifest.object).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'second' }, data: { k: '2', other: 'x' } });
    expect(manifest.source.replacedKeys).toEqual([
      { path: ['metadata', 'name'], droppedLine: 4, keptLine: 5, byMerge: false },
      { path: ['data', 'k'], droppedLine: 7, keptLine: 9, byMerge: false },
    ]);
    expect(manifest.lineOf(['metadata', 'name'])).toBe(5);
    expect(manifest.lineOf(['data', 'k'])).toBe(9);
  });

  it('records a repeated key inside a list item with its index', () => {
    const manifest = only(lines('apiVersion: v1', 'kind: Pod', 'metadata:', '  name: p', 'spec:', '  containers:', '  - name: a', '    image: one', '    image: two'));
    expect(manifest.object).toEqual({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'two' }] } });
    expect(manifest.source.replacedKeys).toEqual([{ path: ['spec', 'containers', 0, 'image'], droppedLine: 8, keptLine: 9, byMerge: false }]);
    expect(manifest.lineOf(['spec', 'containers', 0, 'image'])).toBe(9);
  });

  // go-yaml keeps `yes` (a bool) and "true" (a string) apart; sigs.k8s.io/yaml then writes both
  // as "true" from a Go map, so kubectl keeps one or the other at random (the oracle gives both).
  it.each([
    ['yes: a', '"true": b', 'true'],
    ['"true": a', 'on: b', 'true'],
    ['80: a', '"80": b', '80'],
  ])('flags %s then %s as eitherKept', (first, second, key) => {
    const manifest = only(lines('apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: c', 'data:', `  ${first}`, `  ${second}`));
    expect(manifest.source.replacedKeys).toEqual([{ path: ['data', key], droppedLine: 6, keptLine: 7, byMerge: false, eitherKept: true }]);
    // One of the two values kubectl may send: the object holds the later one.
    expect(manifest.object.data).toEqual({ [key]: 'b' });
  });

  it('accepts a NaN that a later key replaces', () => {
    const manifest = only(lines('apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: c', 'data:', '  v: .nan', '  v: ok'));
    expect(manifest.object).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { v: 'ok' } });
    expect(manifest.source.replacedKeys).toEqual([{ path: ['data', 'v'], droppedLine: 6, keptLine: 7, byMerge: false }]);
  });

  it('accepts an infinity merged in and then replaced by an explicit key', () => {
    expect(objects(lines('apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: c', 'data:', '  <<: {v: .inf, w: x}', '  v: ok'))).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { v: 'ok', w: 'x' } },
    ]);
  });

  it.each([
    ['.nan', 'NaN'],
    ['.inf', '+Inf'],
    ['-.Inf', '-Inf'],
  ])('refuses a %s that survives', (value, name) => {
    const error = failure(lines('apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: c', 'data:', `  v: ${value}`));
    expect(error.code).toBe('KG_BAD_MANIFEST');
    expect(error.message).toBe(`f.yaml:1: error converting YAML to JSON: json: unsupported value: ${name}`);
  });
});

describe('parseManifests: scalars and keys', () => {
  it('reads every scalar as go-yaml v2 does', () => {
    const text = lines(
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: c',
      'spec:',
      '  mode: 0755',
      '  eight: 08',
      '  hex: 0x1F',
      '  neg: -0b11',
      '  under: 1_000',
      '  big: 1e400',
      '  when: 2001-12-14',
      '  time: 12:30',
      '  yy: y',
      '  nn: N',
      '  tilde: ~',
      '  empty:',
      '  s: !!str 0755',
      '  b: !!binary aGVsbG8=',
      '  c: !custom yes',
      '  f: !!float 1',
      '  block: |',
      '    yes',
      '  folded: >-',
      '    0755',
      "  single: '0755'",
    );
    expect(objects(text)).toEqual([
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'c' },
        spec: {
          mode: 493,
          eight: 8,
          hex: 31,
          neg: -3,
          under: 1000,
          big: '1e400',
          when: '2001-12-14',
          time: '12:30',
          yy: true,
          nn: false,
          tilde: null,
          empty: null,
          s: '0755',
          b: 'hello',
          c: 'yes',
          f: 1,
          block: 'yes\n',
          folded: '0755',
          single: '0755',
        },
      },
    ]);
  });

  it('writes non-string keys as sigs.k8s.io/yaml does', () => {
    const text = lines('apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: c', 'data:', '  1e6: a', '  0.00001: b', '  100000000.0: c', '  1.5: d', '  10: e', '  0x10: f', '  yes: g');
    expect(objects(text)).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { '1e+06': 'a', '1e-05': 'b', '1e+08': 'c', '1.5': 'd', '10': 'e', '16': 'f', true: 'g' } },
    ]);
  });

  it('refuses a scalar whose explicit tag does not fit, on its line', () => {
    const error = failure(lines('apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: c', 'data:', '  a: !!int 1.5'));
    expect(error.code).toBe('KG_BAD_MANIFEST');
    expect(error.message).toMatch(/^f\.yaml:6: /);
    expect(error.message).toContain('cannot decode !!float `1.5` as a !!int');
  });

  it('keeps a __proto__ key as an own key, reads escapes and skips a byte order mark', () => {
    const text = '\ufeff' + lines('apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: c', '  __proto__: {x: 1}', 'data:', '  a: "\\x50\\u00e9\\t"', '  b: {x: 1, x: 2}');
    const manifest = only(text);
    expect(Object.hasOwn(manifest.object.metadata as object, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(manifest.object.metadata)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(manifest.object))).toEqual(JSON.parse('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","__proto__":{"x":1}},"data":{"a":"P\u00e9\\t","b":{"x":2}}}'));
    expect(manifest.source.replacedKeys).toEqual([{ path: ['data', 'b', 'x'], droppedLine: 8, keptLine: 8, byMerge: false }]);
  });

  it('refuses a null key', () => {
    const error = failure(lines('apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: c', 'data:', '  ~: a'));
    expect(error.message).toContain('error converting YAML to JSON: unsupported map key of type: %!s(<nil>), key: <nil>');
  });
});

describe('parseManifests: constructs the fast reader leaves to the exact one', () => {
  it.each([
    [
      'an explicit `? key` without a value',
      lines('apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: c', 'data:', '  ? key', '  other: 0755'),
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { key: null, other: 493 } },
    ],
    [
      'an explicit block-scalar key',
      lines('apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: c', 'data:', '  ? |', '    block', '  : v'),
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { 'block\n': 'v' } },
    ],
    [
      'a `name: a` pair inside a flow sequence',
      lines('apiVersion: v1', 'kind: Pod', 'metadata:', '  name: p', 'spec:', '  containers: [name: a, {name: b}]'),
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'a' }, { name: 'b' }] } },
    ],
    [
      'empty `-` items',
      lines('apiVersion: v1', 'kind: Pod', 'metadata:', '  name: p', 'spec:', '  containers:', '  - name: a', '    args:', '    -', '    - x', '    -'),
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'a', args: [null, 'x', null] }] } },
    ],
    [
      'flow keys without values',
      lines('apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: c, labels: {a, b: 1, c}}'),
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { a: null, b: 1, c: null } } },
    ],
  ])('decodes %s right', (_name, text, expected) => {
    expect(readFast(text, 1)).toBeUndefined();
    expect(objects(text)).toEqual([expected]);
  });

  it('finds lines in documents read by the exact reader', () => {
    const explicit = only(lines('apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: c', 'data:', '  ? key', '  other: 0755'));
    expect(explicit.lineOf(['data', 'key'])).toBe(6);
    expect(explicit.lineOf(['data', 'other'])).toBe(7);
    const items = only(lines('apiVersion: v1', 'kind: Pod', 'metadata:', '  name: p', 'spec:', '  containers:', '  - name: a', '    args:', '    -', '    - x', '    -'));
    expect(items.lineOf(['spec', 'containers', 0, 'args', 1])).toBe(10);
    expect(items.lineOf(['spec', 'containers', 0, 'name'])).toBe(7);
    const pair = only(lines('apiVersion: v1', 'kind: Pod', 'metadata:', '  name: p', 'spec:', '  containers: [name: a, {name: b}]'));
    expect(pair.lineOf(['spec', 'containers', 0, 'name'])).toBe(6);
  });

  it('decodes explicit keys with values (which the fast reader handles) the same', () => {
    const text = lines('apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: c', 'data:', '  ? key', '  : value', '  ? other', '  : 0755');
    const manifest = only(text);
    expect(manifest.object).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { key: 'value', other: 493 } });
    expect(manifest.lineOf(['data', 'key'])).toBe(6);
    expect(manifest.lineOf(['data', 'other'])).toBe(8);
  });
});

describe('parseManifests: streams', () => {
  it('reads a JSON file as encoding/json does', () => {
    const text = lines(
      '{',
      '  "apiVersion": "v1",',
      '  "kind": "ConfigMap",',
      '  "metadata": {"name": "j", "labels": {"on": "yes"}},',
      '  "data": {"n": "0755"},',
      '  "spec": {"n": 1.50, "big": 12345678901234567890, "t": true}',
      '}',
    );
    const manifest = only(text);
    expect(manifest.object).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'j', labels: { on: 'yes' } },
      data: { n: '0755' },
      spec: { n: 1.5, big: Number('12345678901234567890'), t: true },
    });
    expect(manifest.line).toBe(1);
    expect(manifest.lineOf(['metadata', 'labels', 'on'])).toBe(4);
    expect(manifest.lineOf(['data'])).toBe(5);
    expect(manifest.lineOf(['spec', 't'])).toBe(6);
  });

  it('reads a file that only looks like JSON as YAML', () => {
    const text = lines('{', '  "apiVersion": "v1",', '  "kind": "ConfigMap",', '  "spec": {"m": 0755e0}', '}');
    expect(objects(text)).toEqual([{ apiVersion: 'v1', kind: 'ConfigMap', spec: { m: 755 } }]);
  });

  it('reads a JSON object followed by --- and YAML', () => {
    const text = lines(
      '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "j"}, "data": {"a": "yes"}}',
      '---',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: yml',
      'data:',
      '  a: yes',
    );
    const manifests = parse(text);
    expect(manifests.map((manifest) => manifest.object)).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'j' }, data: { a: 'yes' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'yml' }, data: { a: true } },
    ]);
    expect(manifests.map((manifest) => manifest.line)).toEqual([1, 3]);
    expect(manifests[1]?.lineOf(['data', 'a'])).toBe(8);
  });

  it('reads concatenated JSON objects', () => {
    expect(objects('{"kind": "A", "n": 1}\n{"kind": "B", "kind": "C"}\n')).toEqual([
      { kind: 'A', n: 1 },
      { kind: 'C' },
    ]);
  });

  it('skips empty documents, comment-only documents and nulls', () => {
    const text = lines('---', '# only a comment', '---', '', '---', 'apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: c', '--- # trailing comment', '---', 'null', '---', '~');
    const manifests = parse(text);
    expect(manifests.map((manifest) => manifest.object)).toEqual([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }]);
    expect(manifests[0]?.line).toBe(6);
    expect(manifests[0]?.lineOf(['metadata', 'name'])).toBe(9);
    expect(parse('')).toEqual([]);
    expect(parse('---\n')).toEqual([]);
  });

  it('splits on `--- #comment` and gives each object its own lines', () => {
    const manifests = parse(lines('apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: a', '--- #second', 'apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: b'));
    expect(manifests.map((manifest) => manifest.object)).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } },
    ]);
    expect(manifests.map((manifest) => [manifest.line, manifest.lineOf(['metadata', 'name'])])).toEqual([
      [1, 4],
      [6, 9],
    ]);
  });

  it('refuses an invalid document separator with kubectl`s words and the line', () => {
    const error = failure(lines('apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: c', '--- apiVersion: v1'));
    expect(error.code).toBe('KG_BAD_MANIFEST');
    expect(error.message).toBe('f.yaml:5: invalid Yaml document separator: apiVersion: v1');
  });
});

describe('parseManifests: lists', () => {
  const text = lines(
    'apiVersion: v1',
    'kind: List',
    'items:',
    '- apiVersion: v1',
    '  kind: ConfigMap',
    '  metadata:',
    '    name: a',
    '- apiVersion: v1',
    '  kind: ConfigMap',
    '  metadata:',
    '    name: b',
    '    name: c',
  );

  it('reads a List`s items as objects of their own', () => {
    expect(objects(text)).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } },
    ]);
  });

  it('gives each item its lines and its replaced keys, re-rooted at the item', () => {
    const [first, second] = parse(text);
    expect([first?.line, first?.lineOf([]), first?.lineOf(['kind']), first?.lineOf(['metadata', 'name'])]).toEqual([4, 4, 5, 7]);
    expect(first?.source.replacedKeys).toEqual([]);
    expect([second?.line, second?.lineOf(['kind']), second?.lineOf(['metadata', 'name'])]).toEqual([8, 9, 12]);
    expect(second?.source.replacedKeys).toEqual([{ path: ['metadata', 'name'], droppedLine: 11, keptLine: 12, byMerge: false }]);
  });

  it('reads a typed list (ConfigMapList) the same way', () => {
    const manifests = parse(lines('apiVersion: v1', 'kind: ConfigMapList', 'items:', '- apiVersion: v1', '  kind: ConfigMap', '  metadata:', '    name: a'));
    expect(manifests.map((manifest) => manifest.object)).toEqual([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }]);
    expect(manifests[0]?.lineOf(['metadata', 'name'])).toBe(7);
  });

  it('refuses an item without a kind, naming its line', () => {
    const error = failure(lines('apiVersion: v1', 'kind: List', 'items:', '- apiVersion: v1', '  kind: ConfigMap', '- name: x'));
    expect(error.message).toBe('f.yaml:6: items[1] is not a Kubernetes object (it has no kind)');
  });
});

describe('parseManifests: what is not a Kubernetes object', () => {
  it.each([
    ['a mapping without a kind', lines('apiVersion: v1', 'metadata:', '  name: c'), 'f.yaml:1: document 1 is not a Kubernetes object (it has no kind)'],
    ['a sequence', lines('- a', '- b'), 'f.yaml:1: document 1 is not a Kubernetes object (it has no kind)'],
    ['a second document with an empty kind', lines('kind: A', '---', 'kind: ""'), 'f.yaml:3: document 2 is not a Kubernetes object (it has no kind)'],
  ])('refuses %s', (_name, text, message) => {
    const error = failure(text);
    expect(error.code).toBe('KG_BAD_MANIFEST');
    expect(error.message).toBe(message);
  });

  it('refuses invalid YAML with the file, line and column', () => {
    const error = failure(lines('apiVersion: v1', 'kind: ConfigMap', 'data:', '  a: [1, 2'));
    expect(error.code).toBe('KG_BAD_MANIFEST');
    expect(error.message).toMatch(/^f\.yaml:\d+:\d+: invalid YAML: /);
  });
});

describe('parseManifests: what kubectl refuses in anchors and keys', () => {
  it('refuses an alias to an anchor not yet written, as go-yaml does', () => {
    expect(failure('kind: A\na: *unknown\n').message).toBe("f.yaml:2: yaml: unknown anchor 'unknown' referenced");
    expect(failure('kind: A\na: [*b]\nb: &b 1\n').message).toContain("unknown anchor 'b' referenced");
  });

  it('refuses an anchor whose value contains itself, without running out of stack', () => {
    for (const text of ['kind: A\na: &a [*a]\n', 'kind: A\na: &a {b: *a}\n', 'kind: A\na: &a\n  <<: *a\n']) {
      expect(failure(text).message).toContain("anchor 'a' value contains itself");
    }
  });

  it('writes integer keys with every digit, beyond what a float holds', () => {
    expect(objects('kind: A\n9223372036854775807: v\n-9223372036854775808: w\n12345678901234567: x\n')).toEqual([
      { kind: 'A', '9223372036854775807': 'v', '-9223372036854775808': 'w', '12345678901234567': 'x' },
    ]);
  });

  it('writes float keys as float32: beyond its range an infinity, and -0 with its sign', () => {
    expect(objects('kind: A\n1e39: a\n-3.5e38: b\n-0.0: c\n')).toEqual([{ kind: 'A', '.inf': 'a', '-.inf': 'b', '-0': 'c' }]);
  });

  it('reads YAML indented after a JSON object, as kubectl resumes after the first newline', () => {
    expect(objects('{"kind":"A"}\n  kind: B\n  b: 2\n')).toEqual([{ kind: 'A' }, { kind: 'B', b: 2 }]);
  });
});
