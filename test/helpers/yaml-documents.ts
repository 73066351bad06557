/**
 * Random manifests built from the YAML constructs that kubectl's decoding turns into
 * surprises: YAML 1.1 scalars, quoting, block and flow styles, block scalars, anchors,
 * aliases, merge keys (single and lists), repeated keys, tags, comments, document
 * separators and JSON streams. For property tests against kubectl's own decoder.
 */
import fc from 'fast-check';

const SCALARS = [
  'yes', 'Yes', 'YES', 'yEs', 'no', 'No', 'on', 'On', 'off', 'OFF', 'y', 'Y', 'n', 'N', 'true', 'False', 'TRUE',
  '~', 'null', 'Null', 'NULL', 'nULL', '', '0', '00', '0755', '08', '0x1F', '0X1f', '0o17', '0O7', '0b101', '-0b11', '+12', '-7',
  '1_000', '1__0', '_1', '1_', '0x_1F', '1e3', '1E-2', '1.5', '.5', '-.5', '+.5', '1.', '.', '-', '+', '1.0', '3.14159265358979',
  '9223372036854775807', '9223372036854775808', '18446744073709551615', '18446744073709551616', '-9223372036854775809',
  '1e400', '2024-01-01', '2024-1-2', '2024-01-01T10:00:00Z', '2001-12-14 21:59:43.10',
  '12:30', '190:20:30', '1:2', 'abc', 'a b', 'x-y', '0.0.0.0/0', '10.0.0.0/8', '::/0', '1.2.3.4', '080', '0.1e1', '1e', 'e1',
  'Infinity', 'NaN', 'inf', '0x', '0b', '0o', '1,000', '$HOME', 'a#b', '%s',
] as const;

/** Values with no JSON form: kubectl fails on them unless a later key replaces them. */
const UNSUPPORTED = ['.inf', '-.Inf', '+.INF', '.nan', '.NaN'] as const;

/** Keys, each with the JSON name kubectl gives it when written plain. */
const KEYS: readonly (readonly [string, string])[] = [
  ['a', 'a'], ['b', 'b'], ['name', 'name'], ['app', 'app'], ['hostNetwork', 'hostNetwork'], ['yes', 'true'], ['on', 'true'],
  ['y', 'true'], ['n', 'false'], ['no', 'false'], ['1', '1'], ['0755', '493'], ['1.5', '1.5'], ['1e6', '1e+06'],
  ['0.00001', '1e-05'], ['true', 'true'], ['2024-01-01', '2024-01-01'], ['x.y/z', 'x.y/z'],
];

type Gen = fc.Arbitrary<string>;

function quoted(text: string, style: 'plain' | 'single' | 'double'): string {
  if (style === 'single') return `'${text.replaceAll("'", "''")}'`;
  if (style === 'double') return JSON.stringify(text);
  return text;
}

/** A scalar as it can be written inline: plain when YAML allows it, else quoted, sometimes tagged. */
const scalarText = fc.oneof({ weight: 40, arbitrary: fc.constantFrom(...SCALARS) }, { weight: 1, arbitrary: fc.constantFrom(...UNSUPPORTED) });
const scalarStyle = fc.constantFrom<'plain' | 'single' | 'double'>('plain', 'plain', 'plain', 'single', 'double');
const scalarTag = fc.oneof(
  { weight: 30, arbitrary: fc.constant('') },
  { weight: 3, arbitrary: fc.constantFrom('!!str ', '!custom ') },
  { weight: 1, arbitrary: fc.constantFrom('!!int ', '!!float ', '!!bool ', '!!null ') },
);
const inlineScalar: Gen = fc
  .tuple(scalarText, scalarStyle, scalarTag)
  .map(([text, style, tag]) => {
    const safePlain = text !== '' && !/^[-?:,[\]{}#&*!|>'"%@`]|: | #|^\s|\s$/.test(text) && !['-', '.', '+'].includes(text) ? text : undefined;
    const body = style === 'plain' && safePlain !== undefined ? safePlain : quoted(text, style === 'plain' ? 'double' : style);
    return `${tag}${body}`;
  });

interface Key {
  readonly text: string;
  /** The key in JSON: two keys of one mapping with the same name are a repeated key (or, across YAML types, either is kept). */
  readonly name: string;
}

const key: fc.Arbitrary<Key> = fc
  .tuple(fc.constantFrom(...KEYS), fc.constantFrom('plain', 'plain', 'plain', 'double'))
  .map(([[text, name], style]) => (style === 'plain' ? { text, name } : { text: JSON.stringify(text), name: text }));

const indent = (depth: number): string => '  '.repeat(depth);

interface Built {
  readonly text: string;
  readonly inline: boolean;
}

function blockScalar(depth: number): Gen {
  return fc
    .tuple(fc.constantFrom('|', '|-', '|+', '>', '>-'), fc.array(fc.constantFrom('line one', 'yes', '  indented', '', 'x: y', '#not a comment'), { minLength: 1, maxLength: 3 }))
    .map(([style, lines]) => `${style}\n${['first', ...lines].map((line) => (line === '' ? '' : `${indent(depth + 1)}${line}`)).join('\n')}`);
}

/** A value at `depth`, as text placed after `key: ` (inline) or on the lines below (block). */
function value(depth: number, anchors: readonly string[]): fc.Arbitrary<Built> {
  const leaf = fc.oneof(
    { weight: 6, arbitrary: inlineScalar.map((text) => ({ text, inline: true })) },
    { weight: 1, arbitrary: blockScalar(depth).map((text) => ({ text, inline: true })) },
    { weight: anchors.length > 0 ? 1 : 0, arbitrary: fc.constantFrom(...(anchors.length > 0 ? anchors : ['none'])).map((name) => ({ text: `*${name}`, inline: true })) },
    { weight: 1, arbitrary: fc.array(inlineScalar, { maxLength: 3 }).map((items) => ({ text: `[${items.join(', ')}]`, inline: true })) },
    {
      weight: 1,
      arbitrary: fc
        .uniqueArray(fc.tuple(key, inlineScalar), { maxLength: 3, selector: ([k]) => k.name })
        .map((pairs) => ({ text: `{${pairs.map(([k, v]) => `${k.text}: ${v}`).join(', ')}}`, inline: true })),
    },
  );
  if (depth >= 3) return leaf;
  return fc.oneof(
    { weight: 4, arbitrary: leaf },
    { weight: 2, arbitrary: mapping(depth + 1, anchors).map((text) => ({ text, inline: false })) },
    { weight: 1, arbitrary: sequence(depth + 1, anchors).map((text) => ({ text, inline: false })) },
  );
}

interface Entry {
  readonly name: string;
  readonly text: string;
}

function entry(depth: number, anchors: readonly string[]): fc.Arbitrary<Entry> {
  return fc.tuple(key, value(depth, anchors), fc.constantFrom('', '', '', ' # note'), fc.constantFrom('', '', '', '', '&anc ')).map(([k, v, comment, anchor]) => {
    if (v.inline) return { name: k.name, text: `${indent(depth)}${k.text}: ${v.text.startsWith('|') || v.text.startsWith('>') ? '' : anchor}${v.text}${v.text.includes('\n') ? '' : comment}` };
    return { name: k.name, text: `${indent(depth)}${k.text}:${comment}\n${v.text}` };
  });
}

/** A key written twice in one mapping: kubectl keeps the later value. */
function repeatedEntry(depth: number): fc.Arbitrary<Entry> {
  return fc.tuple(fc.constantFrom('a', 'name', 'app'), inlineScalar, inlineScalar).map(([k, first, second]) => ({
    name: `${k} repeated`,
    text: `${indent(depth)}${k}: ${first}\n${indent(depth)}${k}: ${second}`,
  }));
}

function mergeEntry(depth: number, anchors: readonly string[]): fc.Arbitrary<Entry> {
  const texts =
    anchors.length === 0
      ? fc.constant(`${indent(depth)}<<: {a: merged, b: 2}`)
      : fc.oneof(
          fc.constantFrom(...anchors).map((name) => `${indent(depth)}<<: *${name}`),
          fc.array(fc.constantFrom(...anchors), { minLength: 1, maxLength: 3 }).map((names) => `${indent(depth)}<<: [${names.map((name) => `*${name}`).join(', ')}]`),
          fc.constant(`${indent(depth)}<<: {a: inline, c: 1}`),
        );
  return fc.tuple(texts, fc.nat()).map(([text, n]) => ({ name: `<< ${n}`, text }));
}

function mapping(depth: number, anchors: readonly string[]): Gen {
  return fc
    .uniqueArray(
      fc.oneof({ weight: 12, arbitrary: entry(depth, anchors) }, { weight: 2, arbitrary: mergeEntry(depth, anchors) }, { weight: 1, arbitrary: repeatedEntry(depth) }),
      { minLength: 1, maxLength: 4, selector: (entry) => entry.name },
    )
    .map((entries) => entries.map((entry) => entry.text).join('\n'));
}

function sequence(depth: number, anchors: readonly string[]): Gen {
  return fc
    .array(
      fc.oneof(
        inlineScalar.map((text) => `${indent(depth)}- ${text}`),
        mapping(depth + 1, anchors).map((text) => `${indent(depth)}- ${text.trimStart()}`),
      ),
      { minLength: 1, maxLength: 3 },
    )
    .map((lines) => lines.join('\n'));
}

/** A document that defines anchors first (maps to merge, a scalar), then uses them. */
const document: Gen = fc
  .tuple(
    fc.constantFrom('v1', 'apps/v1'),
    fc.constantFrom('ConfigMap', 'Pod', 'Widget'),
    mapping(1, []),
    mapping(1, ['base', 'other']),
    fc.constantFrom('', '---\n', '--- # first\n', '# leading comment\n'),
  )
  .map(([apiVersion, kind, spec, data, lead]) =>
    [
      `${lead}apiVersion: ${apiVersion}`,
      `kind: ${kind}`,
      'defs:',
      '  base: &base {a: 1, b: base}',
      '  other: &other',
      '    b: other',
      '    c: 3',
      '  word: &word yes',
      'spec:',
      spec,
      'data:',
      data,
      '',
    ].join('\n'),
  );

/** One manifest file: YAML documents with separators, sometimes a JSON object first. */
export const manifestFile: Gen = fc
  .tuple(fc.array(document, { minLength: 1, maxLength: 3 }), fc.constantFrom('', '', '', '{"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "1"}}\n'))
  .map(([documents, json]) => `${json}${documents.join('---\n')}`);
