import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPlainValidSelector, readLabelSelector, selectorIncludes, selectorMatches, validateLabelSelector } from './label-selector.js';

const key = fc.oneof(fc.constantFrom('app', 'tier', 'app.kubernetes.io/name', 'kubernetes.io/metadata.name', 'Bad Key', '-x', 'a/b/c', ''), fc.string({ maxLength: 8 }));
const value = fc.oneof(fc.constantFrom('web', 'db', '', 'a-b.c_d', 'not valid', '-x'), fc.string({ maxLength: 8 }));
const junk = fc.oneof(fc.constant(null), fc.constant(undefined), fc.integer(), fc.boolean(), fc.constant({}), fc.constant([]));
const requirement = fc.oneof(
  junk,
  fc.record(
    { key: fc.oneof(key, junk), operator: fc.oneof(fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', ''), junk), values: fc.oneof(fc.array(fc.oneof(value, junk), { maxLength: 3 }), junk) },
    { requiredKeys: [] },
  ),
);
const selector = fc.oneof(
  junk,
  fc.record(
    {
      matchLabels: fc.oneof(fc.dictionary(key, fc.oneof(value, junk), { maxKeys: 3 }), junk),
      matchExpressions: fc.oneof(fc.array(requirement, { maxLength: 3 }), junk),
      extra: fc.constant(1),
    },
    { requiredKeys: [] },
  ),
);

describe('label selector validation', () => {
  it('never takes the fast path for a selector the full validation would reject', () => {
    fc.assert(
      fc.property(selector, (raw) => {
        if (isPlainValidSelector(raw)) expect(validateLabelSelector(raw, ['spec', 'podSelector'])).toEqual([]);
      }),
      { numRuns: 3000 },
    );
  });

  it('takes the fast path for the usual selectors', () => {
    expect(isPlainValidSelector({ matchLabels: { app: 'web' } })).toBe(true);
    expect(isPlainValidSelector({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] })).toBe(true);
    expect(isPlainValidSelector({ matchExpressions: [{ key: 'tier', operator: 'Exists', values: null }] })).toBe(true);
    expect(isPlainValidSelector({})).toBe(true);
  });

  it('reads values: null as no values, as the API server does', () => {
    expect(validateLabelSelector({ matchExpressions: [{ key: 'tier', operator: 'Exists', values: null }] }, ['p'])).toEqual([]);
  });
});

describe('label selector matching (apimachinery semantics)', () => {
  const labels = { app: 'web', tier: 'front' };
  it.each([
    [{}, true],
    [{ matchLabels: {} }, true],
    [{ matchExpressions: [] }, true],
    [{ matchLabels: { app: 'web' } }, true],
    [{ matchLabels: { app: 'db' } }, false],
    [{ matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'db'] }] }, true],
    [{ matchExpressions: [{ key: 'role', operator: 'NotIn', values: ['x'] }] }, true],
    [{ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, true],
    [{ matchExpressions: [{ key: 'role', operator: 'DoesNotExist' }] }, true],
    [{ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, false],
  ])('matches %j against app=web,tier=front: %s', (raw, expected) => {
    expect(selectorMatches(readLabelSelector(raw), labels)).toBe(expected);
  });

  it('knows that a broader selector includes a narrower one, and not the reverse', () => {
    const broad = readLabelSelector({ matchLabels: { app: 'web' } });
    const narrow = readLabelSelector({ matchLabels: { app: 'web', tier: 'front' } });
    expect(selectorIncludes(broad, narrow)).toBe(true);
    expect(selectorIncludes(narrow, broad)).toBe(false);
    expect(selectorIncludes(readLabelSelector({}), narrow)).toBe(true);
  });
});
