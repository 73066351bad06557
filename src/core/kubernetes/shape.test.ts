import { describe, expect, it } from 'vitest';
import { field, renderPath, stringMapOf, valueAt } from './shape.js';

describe('stringMapOf', () => {
  it('keeps the string entries of a label map and drops the others, which validation reports', () => {
    expect(stringMapOf({ app: 'web', replicas: 3, canary: true, owner: null, tier: { name: 'front' }, empty: '' })).toEqual({ app: 'web', empty: '' });
  });

  it('reads anything that is not a map as no labels', () => {
    expect(stringMapOf(['app=web'])).toEqual({});
    expect(stringMapOf('app=web')).toEqual({});
    expect(stringMapOf(undefined)).toEqual({});
  });

  it('keeps a key named __proto__ as an ordinary label key, as JSON.parse and YAML decoders produce it', () => {
    const labels = stringMapOf(JSON.parse('{"__proto__": "x", "app": "web"}'));
    expect(Object.keys(labels).sort()).toEqual(['__proto__', 'app']);
    expect(Object.getOwnPropertyDescriptor(labels, '__proto__')?.value).toBe('x');
    expect(labels.app).toBe('web');
  });

  it('ignores entries inherited from a prototype', () => {
    const inherited: unknown = Object.assign(Object.create({ injected: 'yes' }) as object, { app: 'web' });
    expect(stringMapOf(inherited)).toEqual({ app: 'web' });
  });
});

describe('valueAt', () => {
  const pod = { spec: { containers: [{ name: 'web', ports: [{ containerPort: 80 }] }, { name: 'sidecar' }] } };

  it('follows keys and list indexes', () => {
    expect(valueAt(pod, ['spec', 'containers', 1, 'name'])).toBe('sidecar');
    expect(valueAt(pod, ['spec', 'containers', 0, 'ports', 0, 'containerPort'])).toBe(80);
    expect(valueAt(pod, [])).toBe(pod);
  });

  it('is undefined past a missing step or a step of the wrong kind', () => {
    expect(valueAt(pod, ['spec', 'containers', 2, 'name'])).toBeUndefined();
    // An index into a map, or a key into a list, finds nothing.
    expect(valueAt({ spec: { '0': 'zero' } }, ['spec', 0])).toBeUndefined();
    expect(valueAt(pod, ['spec', 'containers', 'length'])).toBeUndefined();
    expect(valueAt(pod, ['spec', 'containers', 0, 'name', 'first'])).toBeUndefined();
  });
});

describe('field', () => {
  it('reads own keys only, never the prototype', () => {
    expect(field({ constructor: 'mine' }, 'constructor')).toBe('mine');
    expect(field({}, 'constructor')).toBeUndefined();
    expect(field({}, 'toString')).toBeUndefined();
    expect(field(undefined, 'spec')).toBeUndefined();
  });
});

describe('renderPath', () => {
  it('writes keys with dots, indexes in brackets, and other keys quoted', () => {
    expect(renderPath(['spec', 'ingress', 0, 'from', 1, 'podSelector'])).toBe('spec.ingress[0].from[1].podSelector');
    expect(renderPath(['metadata', 'labels', 'app.kubernetes.io/name'])).toBe('metadata.labels["app.kubernetes.io/name"]');
    expect(renderPath([0, 'spec'])).toBe('[0].spec');
    expect(renderPath([])).toBe('');
  });
});
