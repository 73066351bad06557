import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forbidden, invalid, required, unsupported, type FieldError } from './field-errors.js';
import {
  MATCH_EVERYTHING,
  describeSelector,
  isEmptySelector,
  isPlainValidSelector,
  readLabelSelector,
  selectorIncludes,
  selectorMatches,
  validateLabelSelector,
  validateLabels,
  type LabelSelector,
  type SelectorRequirement,
} from './label-selector.js';
import { labelValueErrors, qualifiedNameErrors } from './names.js';

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

// Selectors that are valid but for the odd entry, so that every check of the fast path is reached.
const validKey = fc.constantFrom('app', 'tier', 'app.kubernetes.io/name');
const validValue = fc.constantFrom('web', 'db', '', 'a-b.c_d');
const mostlyValidKey = fc.oneof({ arbitrary: validKey, weight: 8 }, { arbitrary: fc.oneof(junk, fc.constantFrom('-x', 'a/b/c')), weight: 1 });
const mostlyValidValue = fc.oneof({ arbitrary: validValue, weight: 8 }, { arbitrary: fc.oneof(junk, fc.constantFrom('-x', 'not valid')), weight: 1 });
const nearRequirement = fc.oneof(
  fc.record({ key: mostlyValidKey, operator: fc.constantFrom('In', 'NotIn'), values: fc.array(mostlyValidValue, { maxLength: 2 }) }),
  fc.record(
    { key: mostlyValidKey, operator: fc.constantFrom('Exists', 'DoesNotExist'), values: fc.oneof(fc.constantFrom(undefined, null, []), fc.array(mostlyValidValue, { maxLength: 1 })) },
    { requiredKeys: ['key', 'operator'] },
  ),
);
const nearSelector = fc.record(
  { matchLabels: fc.dictionary(mostlyValidKey.filter((k): k is string => typeof k === 'string'), mostlyValidValue, { maxKeys: 2 }), matchExpressions: fc.array(nearRequirement, { maxLength: 2 }) },
  { requiredKeys: [] },
);
const anySelector = fc.oneof(selector, nearSelector);

/*
 * An independent model of the API server's ValidateLabelSelector (label values checked, as
 * for new objects), with no fast path: whether the selector is accepted. Unknown fields
 * are dropped when the JSON is decoded, so they never make a selector invalid.
 */
const isMap = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isValidKey = (value: unknown): boolean => typeof value === 'string' && qualifiedNameErrors(value).length === 0;
const isValidLabelValue = (value: unknown): boolean => typeof value === 'string' && labelValueErrors(value).length === 0;

function modelOperatorFits(operator: unknown, valueCount: number): boolean {
  if (operator === 'In' || operator === 'NotIn') return valueCount > 0;
  if (operator === 'Exists' || operator === 'DoesNotExist') return valueCount === 0;
  return false;
}

function modelRequirementValid(raw: unknown): boolean {
  if (!isMap(raw)) return false;
  const values = Object.hasOwn(raw, 'values') ? raw.values : undefined;
  if (values !== undefined && values !== null && !Array.isArray(values)) return false;
  const list: readonly unknown[] = Array.isArray(values) ? values : [];
  return modelOperatorFits(raw.operator, list.length) && isValidKey(raw.key) && list.every(isValidLabelValue);
}

const isAbsent = (value: unknown): boolean => value === undefined || value === null;

function modelSelectorValid(raw: unknown): boolean {
  if (isAbsent(raw)) return true;
  if (!isMap(raw)) return false;
  const { matchLabels, matchExpressions } = raw;
  const labelsOk = isAbsent(matchLabels) || (isMap(matchLabels) && Object.entries(matchLabels).every(([k, v]) => isValidKey(k) && isValidLabelValue(v)));
  const expressionsOk = isAbsent(matchExpressions) || (Array.isArray(matchExpressions) && matchExpressions.every(modelRequirementValid));
  return labelsOk && expressionsOk;
}

describe('label selector validation', () => {
  // validateLabelSelector itself answers through the fast path, so both are held to the model.
  it('accepts exactly the selectors that the model of the API server accepts', () => {
    fc.assert(
      fc.property(anySelector, (raw) => {
        expect(validateLabelSelector(raw, ['spec', 'podSelector']).length === 0).toBe(modelSelectorValid(raw));
      }),
      { numRuns: 3000 },
    );
  });

  it('never takes the fast path for a selector the API server would reject, and takes it for every valid one without unknown fields', () => {
    fc.assert(
      fc.property(anySelector, (raw) => {
        const plain = isPlainValidSelector(raw);
        if (plain) expect(modelSelectorValid(raw)).toBe(true);
        if (isMap(raw) && !Object.hasOwn(raw, 'extra')) expect(plain).toBe(modelSelectorValid(raw));
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

  // kubectl validates strictly by default (--validate=strict): the API server rejects a
  // misspelled field such as matchLabel, so such a selector is never certainly valid.
  it('leaves a selector with a field it does not know to the full validation', () => {
    expect(isPlainValidSelector({ matchLabel: { app: 'web' } })).toBe(false);
    expect(isPlainValidSelector({ matchLabels: { app: 'web' }, matchExpression: [] })).toBe(false);
  });

  it('reads values: null as no values, as the API server does', () => {
    expect(validateLabelSelector({ matchExpressions: [{ key: 'tier', operator: 'Exists', values: null }] }, ['p'])).toEqual([]);
  });

  const RULE = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  const LABEL_RULE = `a valid label must be an empty string or ${RULE}`;
  const VALUES_REQUIRED = "must be specified when `operator` is 'In' or 'NotIn'";
  const VALUES_FORBIDDEN = "may not be specified when `operator` is 'Exists' or 'DoesNotExist'";
  const expression = (i: number, key: string): (string | number)[] => ['p', 'matchExpressions', i, key];

  it.each<[unknown, FieldError[]]>([
    [undefined, []],
    [null, []],
    [{ matchLabels: null, matchExpressions: null }, []],
    [{ matchLabels: { app: 'web' }, unknownField: 1 }, []],
    ['app=web', [invalid(['p'], 'app=web', 'must be a label selector object')]],
    [[], [invalid(['p'], [], 'must be a label selector object')]],
    [{ matchLabels: 'app=web' }, [invalid(['p', 'matchLabels'], 'app=web', 'must be a map of strings')]],
    [{ matchLabels: ['app'] }, [invalid(['p', 'matchLabels'], ['app'], 'must be a map of strings')]],
    [
      { matchLabels: { '-bad': 'web', app: 'no good', n: 1, 'a/b/c': '' } },
      [
        invalid(['p', 'matchLabels'], '-bad', `name part ${RULE}`),
        invalid(['p', 'matchLabels', 'app'], 'no good', LABEL_RULE),
        invalid(['p', 'matchLabels', 'n'], 1, 'must be a string'),
        invalid(['p', 'matchLabels'], 'a/b/c', `a qualified name ${RULE} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`),
      ],
    ],
    [{ matchExpressions: { key: 'app' } }, [invalid(['p', 'matchExpressions'], { key: 'app' }, 'must be a list')]],
    [
      { matchLabels: { app: '-' }, matchExpressions: 'x' },
      [invalid(['p', 'matchLabels', 'app'], '-', LABEL_RULE), invalid(['p', 'matchExpressions'], 'x', 'must be a list')],
    ],
    [{ matchExpressions: [5] }, [invalid(['p', 'matchExpressions', 0], 5, 'must be an object')]],
    [{ matchExpressions: [{ key: 'tier', operator: 'In' }] }, [required(expression(0, 'values'), VALUES_REQUIRED)]],
    [{ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: [] }] }, [required(expression(0, 'values'), VALUES_REQUIRED)]],
    [{ matchExpressions: [{ key: 'tier', operator: 'Exists', values: ['a'] }] }, [forbidden(expression(0, 'values'), VALUES_FORBIDDEN)]],
    [{ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist', values: ['a'] }] }, [forbidden(expression(0, 'values'), VALUES_FORBIDDEN)]],
    [{ matchExpressions: [{ key: 'tier', operator: 'Gt', values: ['1'] }] }, [unsupported(expression(0, 'operator'), 'Gt', ['In', 'NotIn', 'Exists', 'DoesNotExist'])]],
    [{ matchExpressions: [{ key: 'tier', operator: 'in', values: ['a'] }] }, [unsupported(expression(0, 'operator'), 'in', ['In', 'NotIn', 'Exists', 'DoesNotExist'])]],
    [{ matchExpressions: [{ key: 'tier' }] }, [unsupported(expression(0, 'operator'), undefined, ['In', 'NotIn', 'Exists', 'DoesNotExist'])]],
    [
      { matchExpressions: [{ key: 'tier', operator: 'In', values: 'a' }] },
      [invalid(expression(0, 'values'), 'a', 'must be a list'), required(expression(0, 'values'), VALUES_REQUIRED)],
    ],
    [{ matchExpressions: [{ key: 'tier', operator: 'In', values: [5] }] }, [invalid(['p', 'matchExpressions', 0, 'values', 0], 5, 'must be a string')]],
    [{ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: [true] }] }, [invalid(['p', 'matchExpressions', 0, 'values', 0], true, 'must be a string')]],
    [{ matchExpressions: [{ key: 'tier', operator: 'In', values: [[]] }] }, [invalid(['p', 'matchExpressions', 0, 'values', 0], [], 'must be a string')]],
    [{ matchLabels: { app: true } }, [invalid(['p', 'matchLabels', 'app'], true, 'must be a string')]],
    [{ matchExpressions: [{ key: 5, operator: 'Exists' }] }, [invalid(expression(0, 'key'), 5, 'must be a string')]],
    [{ matchExpressions: [{ operator: 'Exists' }] }, [invalid(expression(0, 'key'), undefined, 'must be a string')]],
    [{ matchExpressions: [{ key: '', operator: 'Exists' }] }, [invalid(expression(0, 'key'), '', 'name part must be non-empty')]],
    [
      { matchExpressions: [{ key: 'ok', operator: 'Exists' }, { key: 'tier', operator: 'In', values: ['a', 1, '-x'] }] },
      [invalid(['p', 'matchExpressions', 1, 'values', 1], 1, 'must be a string'), invalid(['p', 'matchExpressions', 1, 'values', 2], '-x', LABEL_RULE)],
    ],
    [
      { matchExpressions: [{ key: '-k', operator: 'Exists', values: ['-v'] }] },
      [forbidden(expression(0, 'values'), VALUES_FORBIDDEN), invalid(expression(0, 'key'), '-k', `name part ${RULE}`), invalid(['p', 'matchExpressions', 0, 'values', 0], '-v', LABEL_RULE)],
    ],
  ])('validates %j as the API server does', (raw, errors) => {
    expect(validateLabelSelector(raw, ['p'])).toEqual(errors);
  });
});

describe('validateLabels', () => {
  it('accepts absent labels and valid maps, and reports a map that is not one', () => {
    expect(validateLabels(undefined, ['metadata', 'labels'])).toEqual([]);
    expect(validateLabels(null, ['metadata', 'labels'])).toEqual([]);
    expect(validateLabels({ app: 'web', 'app.kubernetes.io/name': '', x: 'a-b_c.d' }, ['metadata', 'labels'])).toEqual([]);
    expect(validateLabels('app=web', ['metadata', 'labels'])).toEqual([invalid(['metadata', 'labels'], 'app=web', 'must be a map of strings')]);
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

describe('readLabelSelector', () => {
  it('reads matchLabels as In requirements with one value, then matchExpressions as written', () => {
    expect(readLabelSelector({ matchLabels: { app: 'web', n: 1 }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['a', 2, null, 'b'] }] })).toEqual({
      requirements: [
        { key: 'app', operator: 'In', values: ['web'] },
        { key: 'n', operator: 'In', values: ['1'] },
        { key: 'tier', operator: 'NotIn', values: ['a', 'b'] },
      ],
    });
  });

  it('reads a malformed expression as one that matches nothing rather than failing', () => {
    expect(readLabelSelector({ matchExpressions: [{}, 'x', { key: 5, operator: 'Exists', values: 'a' }] })).toEqual({
      requirements: [
        { key: '', operator: '', values: [] },
        { key: '', operator: '', values: [] },
        { key: '', operator: 'Exists', values: [] },
      ],
    });
    expect(readLabelSelector('app=web')).toEqual(MATCH_EVERYTHING);
  });

  it('reads only the own entries of matchLabels', () => {
    const matchLabels: Record<string, unknown> = Object.create({ inherited: 'x' }) as Record<string, unknown>;
    matchLabels.app = 'web';
    expect(readLabelSelector({ matchLabels }).requirements).toEqual([{ key: 'app', operator: 'In', values: ['web'] }]);
  });

  it('knows the empty selector in all its spellings', () => {
    expect(MATCH_EVERYTHING).toEqual({ requirements: [] });
    expect(isEmptySelector(MATCH_EVERYTHING)).toBe(true);
    for (const raw of [undefined, null, {}, { matchLabels: {} }, { matchExpressions: [] }, { matchLabels: null, matchExpressions: null }]) {
      expect(isEmptySelector(readLabelSelector(raw))).toBe(true);
    }
    expect(isEmptySelector(readLabelSelector({ matchLabels: { app: 'web' } }))).toBe(false);
    expect(isEmptySelector(readLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Exists' }] }))).toBe(false);
  });
});

describe('selectorMatches: each operator', () => {
  const labels = { app: 'web', tier: 'front', empty: '' };
  const one = (requirement: SelectorRequirement): LabelSelector => ({ requirements: [requirement] });

  it.each<[SelectorRequirement, boolean]>([
    [{ key: 'app', operator: 'In', values: ['web'] }, true],
    [{ key: 'app', operator: 'In', values: ['db'] }, false],
    [{ key: 'role', operator: 'In', values: ['web'] }, false],
    [{ key: 'empty', operator: 'In', values: [''] }, true],
    [{ key: 'role', operator: 'In', values: [''] }, false],
    [{ key: 'tier', operator: 'NotIn', values: ['back'] }, true],
    [{ key: 'tier', operator: 'NotIn', values: ['back', 'front'] }, false],
    [{ key: 'role', operator: 'NotIn', values: ['x'] }, true],
    [{ key: 'empty', operator: 'Exists', values: [] }, true],
    [{ key: 'role', operator: 'Exists', values: [] }, false],
    [{ key: 'app', operator: 'DoesNotExist', values: [] }, false],
    [{ key: 'role', operator: 'DoesNotExist', values: [] }, true],
    [{ key: 'app', operator: 'Gt', values: ['1'] }, false],
    [{ key: 'role', operator: 'exists', values: [] }, false],
    [{ key: 'app', operator: '', values: ['web'] }, false],
  ])('matches %j against app=web,tier=front,empty=: %s', (requirement, expected) => {
    expect(selectorMatches(one(requirement), labels)).toBe(expected);
  });

  it('reads only own labels: a key named like an Object property is absent unless set', () => {
    expect(selectorMatches(one({ key: 'constructor', operator: 'Exists', values: [] }), {})).toBe(false);
    expect(selectorMatches(one({ key: 'toString', operator: 'NotIn', values: ['x'] }), {})).toBe(true);
  });

  it('matches everything with MATCH_EVERYTHING', () => {
    expect(selectorMatches(MATCH_EVERYTHING, {})).toBe(true);
    expect(selectorMatches(MATCH_EVERYTHING, labels)).toBe(true);
  });
});

/*
 * selectorIncludes checked against brute force: requirement values come from {x, y, z} and
 * label values from {x, y, z, w}, so that w stands for every value no requirement names.
 */
const KEYS = ['a', 'b'] as const;
const LABEL_VALUES = [undefined, 'x', 'y', 'z', 'w'] as const;
const ALL_LABELS: Record<string, string>[] = LABEL_VALUES.flatMap((a) =>
  LABEL_VALUES.map((b) => {
    const labels: Record<string, string> = {};
    if (a !== undefined) labels.a = a;
    if (b !== undefined) labels.b = b;
    return labels;
  }),
);
const requirementValues = fc.uniqueArray(fc.constantFrom('x', 'y', 'z'), { minLength: 1, maxLength: 3 });
const validRequirement: fc.Arbitrary<SelectorRequirement> = fc.oneof(
  fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom('In', 'NotIn'), values: requirementValues }),
  fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom('Exists', 'DoesNotExist'), values: fc.constant([]) }),
);
const smallSelector = fc.array(validRequirement, { maxLength: 3 }).map((requirements): LabelSelector => ({ requirements }));

function includesByBruteForce(broader: LabelSelector, narrower: LabelSelector): boolean {
  return ALL_LABELS.every((labels) => !selectorMatches(narrower, labels) || selectorMatches(broader, labels));
}

describe('selectorIncludes', () => {
  it('is exact for one valid requirement against another', () => {
    fc.assert(
      fc.property(validRequirement, validRequirement, (wanted, held) => {
        const broader = { requirements: [wanted] };
        const narrower = { requirements: [held] };
        expect(selectorIncludes(broader, narrower)).toBe(includesByBruteForce(broader, narrower));
      }),
      { numRuns: 1000 },
    );
  });

  it('is sound for selectors of several requirements', () => {
    fc.assert(
      fc.property(smallSelector, smallSelector, (broader, narrower) => {
        if (selectorIncludes(broader, narrower)) expect(includesByBruteForce(broader, narrower)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  const req = (key: string, operator: string, ...values: string[]): LabelSelector => ({ requirements: [{ key, operator, values }] });

  it.each<[string, LabelSelector, LabelSelector, boolean]>([
    ['Exists by In', req('a', 'Exists'), req('a', 'In', 'x'), true],
    ['Exists by Exists', req('a', 'Exists'), req('a', 'Exists'), true],
    ['Exists not by NotIn', req('a', 'Exists'), req('a', 'NotIn', 'x'), false],
    ['Exists not by DoesNotExist', req('a', 'Exists'), req('a', 'DoesNotExist'), false],
    ['Exists not by another key', req('a', 'Exists'), req('b', 'Exists'), false],
    ['In by a subset', req('a', 'In', 'x', 'y'), req('a', 'In', 'x'), true],
    ['In not by a superset', req('a', 'In', 'x'), req('a', 'In', 'x', 'y'), false],
    ['In not by NotIn of the rest', req('a', 'In', 'x', 'y'), req('a', 'NotIn', 'x'), false],
    ['In not by Exists', req('a', 'In', 'x'), req('a', 'Exists'), false],
    ['In not by the same values of another key', req('a', 'In', 'x'), req('b', 'In', 'x'), false],
    ['NotIn by DoesNotExist', req('a', 'NotIn', 'x'), req('a', 'DoesNotExist'), true],
    ['NotIn by a disjoint In', req('a', 'NotIn', 'x'), req('a', 'In', 'y', 'z'), true],
    ['NotIn not by an overlapping In', req('a', 'NotIn', 'x'), req('a', 'In', 'y', 'x'), false],
    ['NotIn by a NotIn of more values', req('a', 'NotIn', 'x'), req('a', 'NotIn', 'x', 'y'), true],
    ['NotIn not by a NotIn of other values', req('a', 'NotIn', 'x'), req('a', 'NotIn', 'y'), false],
    ['NotIn not by Exists', req('a', 'NotIn', 'x'), req('a', 'Exists'), false],
    ['DoesNotExist by DoesNotExist', req('a', 'DoesNotExist'), req('a', 'DoesNotExist'), true],
    ['DoesNotExist not by NotIn', req('a', 'DoesNotExist'), req('a', 'NotIn', 'x'), false],
    ['DoesNotExist not by Exists', req('a', 'DoesNotExist'), req('a', 'Exists'), false],
    ['an unknown operator never', req('a', 'Gt', '1'), req('a', 'Gt', '1'), false],
  ])('%s', (_name, broader, narrower, expected) => {
    expect(selectorIncludes(broader, narrower)).toBe(expected);
  });
});

describe('describeSelector', () => {
  it('writes the empty selector as everything', () => {
    expect(describeSelector(readLabelSelector({}))).toBe('{} (everything)');
  });

  it('writes each requirement as kubectl would, joined by commas', () => {
    const raw = {
      matchLabels: { app: 'web', none: '' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['a', 'b'] },
        { key: 'env', operator: 'NotIn', values: ['dev'] },
        { key: 'legacy', operator: 'DoesNotExist' },
        { key: 'team', operator: 'Exists' },
        { key: 'zone', operator: 'NotIn', values: ['x', 'y'] },
      ],
    };
    expect(describeSelector(readLabelSelector(raw))).toBe('app=web, none=, tier in (a,b), env notin (dev), !legacy, team, zone notin (x,y)');
  });
});
