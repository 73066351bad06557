import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MATCH_EVERYTHING,
  readLabelSelector,
  selectorConjunction,
  selectorMatches,
  selectorsOverlap,
  type LabelSelector,
  type Labels,
  type SelectorRequirement,
} from './label-selector.js';

const sel = (raw: Record<string, unknown>): LabelSelector => readLabelSelector(raw);
const expr = (key: string, operator: string, values: string[] = []): Record<string, unknown> => ({ key, operator, values });
const exprs = (...expressions: Record<string, unknown>[]): LabelSelector => sel({ matchExpressions: expressions });

describe('selectorsOverlap: examples', () => {
  it('is true for no selectors and for the empty selector', () => {
    expect(selectorsOverlap([])).toBe(true);
    expect(selectorsOverlap([MATCH_EVERYTHING])).toBe(true);
    expect(selectorsOverlap([MATCH_EVERYTHING, sel({ matchLabels: { app: 'web' } })])).toBe(true);
  });

  it('is false for two different values of one key, true for the same value or different keys', () => {
    expect(selectorsOverlap([sel({ matchLabels: { app: 'web' } }), sel({ matchLabels: { app: 'api' } })])).toBe(false);
    expect(selectorsOverlap([sel({ matchLabels: { app: 'web' } }), sel({ matchLabels: { app: 'web' } })])).toBe(true);
    expect(selectorsOverlap([sel({ matchLabels: { app: 'web' } }), sel({ matchLabels: { tier: 'front' } })])).toBe(true);
  });

  it('intersects In lists, and removes NotIn values from them', () => {
    expect(selectorsOverlap([exprs(expr('app', 'In', ['a', 'b'])), exprs(expr('app', 'In', ['b', 'c']))])).toBe(true);
    expect(selectorsOverlap([exprs(expr('app', 'In', ['a', 'b'])), exprs(expr('app', 'In', ['c']))])).toBe(false);
    expect(selectorsOverlap([exprs(expr('app', 'In', ['a', 'b'])), exprs(expr('app', 'NotIn', ['a']))])).toBe(true);
    expect(selectorsOverlap([exprs(expr('app', 'In', ['a', 'b'])), exprs(expr('app', 'NotIn', ['a', 'b']))])).toBe(false);
    expect(selectorsOverlap([exprs(expr('app', 'In', ['a', 'b']), expr('app', 'In', ['b']), expr('app', 'NotIn', ['b']))])).toBe(false);
  });

  it('never satisfies an In without values', () => {
    expect(selectorsOverlap([exprs(expr('app', 'In', []))])).toBe(false);
  });

  it('satisfies Exists and NotIn together with a value none of the NotIn lists name', () => {
    expect(selectorsOverlap([exprs(expr('app', 'Exists')), exprs(expr('app', 'NotIn', ['a', 'b', 'c']))])).toBe(true);
    expect(selectorsOverlap([exprs(expr('app', 'NotIn', ['a'])), exprs(expr('app', 'DoesNotExist'))])).toBe(true);
  });

  it('opposes Exists (or In) and DoesNotExist on the same key only', () => {
    expect(selectorsOverlap([exprs(expr('app', 'Exists')), exprs(expr('app', 'DoesNotExist'))])).toBe(false);
    expect(selectorsOverlap([sel({ matchLabels: { app: 'web' } }), exprs(expr('app', 'DoesNotExist'))])).toBe(false);
    expect(selectorsOverlap([exprs(expr('app', 'Exists')), exprs(expr('tier', 'DoesNotExist'))])).toBe(true);
    expect(selectorsOverlap([exprs(expr('app', 'DoesNotExist')), exprs(expr('app', 'DoesNotExist'))])).toBe(true);
  });

  it('never satisfies an operator it does not know, even alone', () => {
    expect(selectorsOverlap([exprs(expr('app', 'Gt', ['1']))])).toBe(false);
    expect(selectorsOverlap([exprs(expr('app', 'in', ['web']))])).toBe(false);
    expect(selectorsOverlap([MATCH_EVERYTHING, exprs(expr('app', 'NotIn', ['x'])), exprs(expr('app', ''))])).toBe(false);
  });

  it('is false when one key is unsatisfiable though every other key is fine', () => {
    expect(selectorsOverlap([sel({ matchLabels: { app: 'web', tier: 'a' } }), sel({ matchLabels: { app: 'web', tier: 'b' } })])).toBe(false);
  });
});

describe('selectorConjunction: examples', () => {
  it('keeps every requirement once, in the order first seen', () => {
    const a = sel({ matchLabels: { app: 'web' }, matchExpressions: [expr('tier', 'Exists')] });
    const b = sel({ matchLabels: { app: 'web', zone: 'z1' } });
    expect(selectorConjunction([a, b, a]).requirements).toEqual([
      { key: 'app', operator: 'In', values: ['web'] },
      { key: 'tier', operator: 'Exists', values: [] },
      { key: 'zone', operator: 'In', values: ['z1'] },
    ]);
  });

  it('keeps requirements that differ in operator or values', () => {
    const conjunction = selectorConjunction([exprs(expr('app', 'In', ['a', 'b'])), exprs(expr('app', 'In', ['b', 'a'])), exprs(expr('app', 'NotIn', ['a', 'b']))]);
    expect(conjunction.requirements).toHaveLength(3);
  });

  it('is the empty selector for none', () => {
    expect(selectorConjunction([]).requirements).toEqual([]);
    expect(selectorConjunction([MATCH_EVERYTHING, MATCH_EVERYTHING]).requirements).toEqual([]);
  });
});

/*
 * A brute-force model over a small alphabet. Requirements name only KEYS and VALUES, so
 * each key can be taken absent, at one of VALUES, or at FRESH (a value no requirement
 * names, standing for all of them): every label set, up to what the selectors can tell
 * apart, is among the 5^3 enumerated.
 */
const KEYS = ['k1', 'k2', 'k3'] as const;
const VALUES = ['a', 'b', 'c'] as const;
const FRESH = 'fresh';
const CHOICES: readonly (string | undefined)[] = [undefined, ...VALUES, FRESH];

function allLabelSets(): Labels[] {
  let sets: Record<string, string>[] = [{}];
  for (const key of KEYS) {
    sets = sets.flatMap((labels) => CHOICES.map((choice) => (choice === undefined ? { ...labels } : { ...labels, [key]: choice })));
  }
  return sets;
}

const LABEL_SETS = allLabelSets();

const requirementArb: fc.Arbitrary<SelectorRequirement> = fc.record({
  key: fc.constantFrom(...KEYS),
  operator: fc.oneof(
    { arbitrary: fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist'), weight: 12 },
    { arbitrary: fc.constantFrom('Gt', 'in', ''), weight: 1 },
  ),
  values: fc.subarray([...VALUES]),
});
const selectorArb: fc.Arbitrary<LabelSelector> = fc.array(requirementArb, { maxLength: 3 }).map((requirements) => ({ requirements }));
const selectorsArb = fc.array(selectorArb, { maxLength: 4 });
const labelsArb = fc.constantFrom(...LABEL_SETS);

describe('selectorsOverlap against a brute-force model', () => {
  it('enumerates 125 distinct label sets', () => {
    expect(new Set(LABEL_SETS.map((labels) => JSON.stringify(labels))).size).toBe(125);
  });

  it('is true exactly when some label set matches every selector', () => {
    fc.assert(
      fc.property(selectorsArb, (selectors) => {
        const witness = LABEL_SETS.some((labels) => selectors.every((selector) => selectorMatches(selector, labels)));
        expect(selectorsOverlap(selectors)).toBe(witness);
      }),
      { numRuns: 3000 },
    );
  });

  it('finds both answers often enough to mean something', () => {
    // Guards the generator: a model test that only ever sees one answer tests little.
    const sample = fc.sample(selectorsArb, { numRuns: 2000, seed: 7 });
    const overlapping = sample.filter((selectors) => selectorsOverlap(selectors)).length;
    expect(overlapping).toBeGreaterThan(200);
    expect(sample.length - overlapping).toBeGreaterThan(200);
  });

  it('does not depend on the order of the selectors or of their requirements', () => {
    fc.assert(
      fc.property(selectorsArb, (selectors) => {
        const reversed = [...selectors].reverse().map((selector) => ({ requirements: [...selector.requirements].reverse() }));
        expect(selectorsOverlap(reversed)).toBe(selectorsOverlap(selectors));
      }),
    );
  });
});

describe('selectorConjunction against the selectors it joins', () => {
  it('matches a label set exactly when every selector does', () => {
    fc.assert(
      fc.property(selectorsArb, labelsArb, (selectors, labels) => {
        expect(selectorMatches(selectorConjunction(selectors), labels)).toBe(selectors.every((selector) => selectorMatches(selector, labels)));
      }),
      { numRuns: 3000 },
    );
  });

  it('overlaps exactly when the selectors do, and holds no requirement twice', () => {
    fc.assert(
      fc.property(selectorsArb, (selectors) => {
        const conjunction = selectorConjunction(selectors);
        expect(selectorsOverlap([conjunction])).toBe(selectorsOverlap(selectors));
        const keys = conjunction.requirements.map((r) => JSON.stringify([r.key, r.operator, r.values]));
        expect(new Set(keys).size).toBe(keys.length);
        const all = new Set(selectors.flatMap((s) => s.requirements.map((r) => JSON.stringify([r.key, r.operator, r.values]))));
        expect(new Set(keys)).toEqual(all);
      }),
    );
  });
});
