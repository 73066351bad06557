import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dns1123SubdomainErrors, labelValueErrors, portNameErrors, portNumberErrors, qualifiedNameErrors } from './names.js';

const RULE = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const NAME_RULE = `name part ${RULE}`;
const LABEL_RULE = `a valid label must be an empty string or ${RULE}`;
const DNS_RULE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const TOO_MANY_SLASHES = `a qualified name ${RULE} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`;

/*
 * An independent model of k8s.io/apimachinery/pkg/util/validation, written with character
 * tests instead of the regular expressions under test: it only says valid or not.
 */
const isAlnum = (c: string): boolean => /^[A-Za-z0-9]$/.test(c);
const isLowerAlnum = (c: string): boolean => /^[a-z0-9]$/.test(c);

function everyChar(text: string, test: (c: string) => boolean): boolean {
  for (let i = 0; i < text.length; i++) if (!test(text.charAt(i))) return false;
  return true;
}

function modelNamePart(name: string): boolean {
  if (name.length === 0 || name.length > 63) return false;
  if (!isAlnum(name.charAt(0)) || !isAlnum(name.charAt(name.length - 1))) return false;
  return everyChar(name, (c) => isAlnum(c) || c === '-' || c === '_' || c === '.');
}

function modelDnsLabel(label: string): boolean {
  if (label.length === 0) return false;
  if (!isLowerAlnum(label.charAt(0)) || !isLowerAlnum(label.charAt(label.length - 1))) return false;
  return everyChar(label, (c) => isLowerAlnum(c) || c === '-');
}

function modelSubdomain(value: string): boolean {
  return value.length <= 253 && value.split('.').every(modelDnsLabel);
}

function modelQualifiedName(value: string): boolean {
  const parts = value.split('/');
  if (parts.length === 1) return modelNamePart(value);
  if (parts.length > 2) return false;
  return modelSubdomain(parts[0]!) && modelNamePart(parts[1]!);
}

const modelLabelValue = (value: string): boolean => value === '' || modelNamePart(value);

// Strings over the characters that matter to these grammars, at the lengths that matter.
const interesting = fc.constantFrom('a', 'z', 'A', 'Z', '0', '9', '-', '_', '.', '/', ' ', 'é', ':');
const shortText = fc.array(interesting, { maxLength: 10 }).map((cs) => cs.join(''));
const longLabel = (n: number): string => 'a'.repeat(n);
const text = fc.oneof(
  shortText,
  fc.tuple(shortText, fc.constantFrom(1, 61, 62, 63, 64, 70)).map(([s, n]) => longLabel(n) + s),
  fc.tuple(fc.constantFrom(1, 61, 62, 63, 64, 70), shortText).map(([n, s]) => s + longLabel(n)),
  fc.tuple(shortText, shortText).map(([a, b]) => `${a}/${b}`),
  fc.tuple(fc.constantFrom(50, 200, 245, 252, 253, 254), shortText).map(([n, s]) => `${'a'.repeat(n - 4)}.com/${s}`),
);

describe('qualifiedNameErrors (label keys)', () => {
  it.each([
    'a',
    'A',
    '0',
    'app',
    'App-Name_1.x',
    'a'.repeat(63),
    'example.com/MyName',
    'app.kubernetes.io/name',
    'kubernetes.io/metadata.name',
    'a-b.c-d/Z',
    '0.9/0',
    // Longer than 63 as a whole: only the name part is limited to 63.
    `${'a'.repeat(240)}.io/${'B'.repeat(63)}`,
    `${'sub-domain.'.repeat(20)}com/A_b-c.9`,
  ])('accepts %j', (value) => {
    expect(qualifiedNameErrors(value)).toEqual([]);
  });

  it.each([
    ['', ['name part must be non-empty']],
    ['-a', [NAME_RULE]],
    ['a-', [NAME_RULE]],
    ['_a', [NAME_RULE]],
    ['a_', [NAME_RULE]],
    ['.a', [NAME_RULE]],
    ['a.', [NAME_RULE]],
    ['a b', [NAME_RULE]],
    ['a:b', [NAME_RULE]],
    ['é', [NAME_RULE]],
    ['a'.repeat(64), ['name part must be no more than 63 characters']],
    [`-${'a'.repeat(63)}`, ['name part must be no more than 63 characters', NAME_RULE]],
    ['/a', ['prefix part must be non-empty']],
    ['a/', ['name part must be non-empty']],
    ['Example.com/a', [`prefix part ${DNS_RULE}`]],
    ['-example.com/a', [`prefix part ${DNS_RULE}`]],
    ['example-.com/a', [`prefix part ${DNS_RULE}`]],
    ['example..com/a', [`prefix part ${DNS_RULE}`]],
    ['example_x.com/a', [`prefix part ${DNS_RULE}`]],
    // A later label of the prefix is held to the same grammar as the first.
    ['example.c_m/a', [`prefix part ${DNS_RULE}`]],
    ['example.cOm/a', [`prefix part ${DNS_RULE}`]],
    ['example.com-/a', [`prefix part ${DNS_RULE}`]],
    ['example.-com/a', [`prefix part ${DNS_RULE}`]],
    ['example.com/-a', [NAME_RULE]],
    [`${'a'.repeat(250)}.com/x`, ['prefix part must be no more than 253 characters']],
    [`${'a'.repeat(250)}.co-/x`, ['prefix part must be no more than 253 characters', `prefix part ${DNS_RULE}`]],
    ['Bad_Prefix/-x-', [`prefix part ${DNS_RULE}`, NAME_RULE]],
    ['a/b/c', [TOO_MANY_SLASHES]],
    ['//', [TOO_MANY_SLASHES]],
  ])('rejects %j with %j', (value, messages) => {
    expect(qualifiedNameErrors(value)).toEqual(messages);
  });

  it('agrees with an independent model of IsQualifiedName', () => {
    fc.assert(
      fc.property(text, (value) => {
        expect(qualifiedNameErrors(value).length === 0).toBe(modelQualifiedName(value));
      }),
      { numRuns: 5000 },
    );
  });
});

describe('dns1123SubdomainErrors', () => {
  it.each(['a', '0', 'a-b', 'a.b', 'a--b.c9', 'example.com', 'a'.repeat(253), `${'a'.repeat(63)}.${'b'.repeat(63)}`])('accepts %j', (value) => {
    expect(dns1123SubdomainErrors(value)).toEqual([]);
  });

  it.each([
    ['', [DNS_RULE]],
    ['A', [DNS_RULE]],
    ['-a', [DNS_RULE]],
    ['a-', [DNS_RULE]],
    ['.a', [DNS_RULE]],
    ['a.', [DNS_RULE]],
    ['a..b', [DNS_RULE]],
    ['a_b', [DNS_RULE]],
    ['a.-b', [DNS_RULE]],
    ['a-.b', [DNS_RULE]],
    ['a'.repeat(254), ['must be no more than 253 characters']],
  ])('rejects %j with %j', (value, messages) => {
    expect(dns1123SubdomainErrors(value)).toEqual(messages);
  });

  it('agrees with an independent model of IsDNS1123Subdomain', () => {
    fc.assert(
      fc.property(fc.oneof(shortText, fc.constantFrom('a'.repeat(253), 'a'.repeat(254), `${'a'.repeat(252)}-`)), (value) => {
        expect(dns1123SubdomainErrors(value).length === 0).toBe(modelSubdomain(value));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('labelValueErrors', () => {
  it.each(['', 'a', 'Z', '9', 'web', 'a-b.c_D', 'a'.repeat(63)])('accepts %j', (value) => {
    expect(labelValueErrors(value)).toEqual([]);
  });

  it.each([
    ['-a', [LABEL_RULE]],
    ['a-', [LABEL_RULE]],
    ['_', [LABEL_RULE]],
    ['.', [LABEL_RULE]],
    ['a b', [LABEL_RULE]],
    ['a/b', [LABEL_RULE]],
    ['a'.repeat(64), ['must be no more than 63 characters']],
    [`${'a'.repeat(63)}-`, ['must be no more than 63 characters', LABEL_RULE]],
    [`-${'a'.repeat(62)}`, [LABEL_RULE]],
  ])('rejects %j with %j', (value, messages) => {
    expect(labelValueErrors(value)).toEqual(messages);
  });

  it('agrees with an independent model of IsValidLabelValue', () => {
    fc.assert(
      fc.property(text, (value) => {
        expect(labelValueErrors(value).length === 0).toBe(modelLabelValue(value));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('portNumberErrors', () => {
  it.each([1, 80, 443, 65535])('accepts %d', (value) => {
    expect(portNumberErrors(value)).toEqual([]);
  });

  it.each([0, -1, 65536, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects %d', (value) => {
    expect(portNumberErrors(value)).toEqual(['must be between 1 and 65535, inclusive']);
  });
});

describe('portNameErrors (IANA_SVC_NAME)', () => {
  it.each(['http', 'a', 'h2c', 'web-8080', 'a-b-c', 'x'.repeat(15), '1a', 'a1'])('accepts %j', (value) => {
    expect(portNameErrors(value)).toEqual([]);
  });

  it.each([
    ['x'.repeat(16), ['must be no more than 15 characters']],
    ['Http', ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)']],
    ['a_b', ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)']],
    ['', ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)', 'must contain at least one letter (a-z)']],
    ['8080', ['must contain at least one letter (a-z)']],
    ['a--b', ['must not contain consecutive hyphens']],
    ['-ab', ['must not begin or end with a hyphen']],
    ['ab-', ['must not begin or end with a hyphen']],
    ['-', ['must contain at least one letter (a-z)', 'must not begin or end with a hyphen']],
    [
      '--A-very-long-name--',
      [
        'must be no more than 15 characters',
        'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
        'must not contain consecutive hyphens',
        'must not begin or end with a hyphen',
      ],
    ],
  ])('rejects %j with %j', (value, messages) => {
    expect(portNameErrors(value)).toEqual(messages);
  });
});
