/**
 * Scalars as kubectl reads them: YAML 1.1 resolution as go-yaml v2 does it
 * (sigs.k8s.io/yaml → go.yaml.in/yaml/v2 `resolve.go`), then the conversion to JSON that
 * sigs.k8s.io/yaml applies (`convertToJSONableObject`, encoding/json). Pure.
 *
 * - `y Y yes Yes YES true True TRUE on On ON` are true, the `n`/`no`/`false`/`off` forms false;
 * - `"" ~ null Null NULL` are null;
 * - integers lose their underscores and are read as Go's `strconv.ParseInt(s, 0, 64)`
 *   reads them, so `0755` is 493, `0x1F` 31, `0o17` 15, `0b101` 5; `08` is the float 8;
 * - timestamps stay the string written (go-yaml keeps them as strings in untyped maps);
 * - `.nan` and the infinities have no JSON form: kubectl fails on them.
 * A quoted or block scalar is a string unless an explicit tag says otherwise.
 */

export type Scalar = string | number | boolean | null;

/** A value, and for an integer its exact value (a map key is written in decimal, every digit kept, not as a float). */
export type ScalarResult = { readonly value: Scalar; readonly integer?: bigint; readonly unsigned?: true } | { readonly error: string };

const STR = 'tag:yaml.org,2002:str';
const BOOL = 'tag:yaml.org,2002:bool';
const INT = 'tag:yaml.org,2002:int';
const FLOAT = 'tag:yaml.org,2002:float';
const NULL = 'tag:yaml.org,2002:null';
const TIMESTAMP = 'tag:yaml.org,2002:timestamp';
const BINARY = 'tag:yaml.org,2002:binary';
export const MERGE_TAG = 'tag:yaml.org,2002:merge';

/** Tags go-yaml resolves; any other (`!foo`, `!!binary`, `!`) leaves the text as written. */
const RESOLVABLE = new Set(['', STR, BOOL, INT, FLOAT, NULL, TIMESTAMP]);

/** `unsigned`: read by ParseUint (above int64), which a `!!float` tag does not accept. */
type Resolved = { readonly tag: string; readonly value: Scalar; readonly exact?: bigint; readonly unsigned?: true };

const WORDS = new Map<string, Resolved>();
function words(tag: string, value: Scalar, list: readonly string[]): void {
  for (const word of list) WORDS.set(word, { tag, value });
}
words(BOOL, true, ['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
words(BOOL, false, ['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);
words(NULL, null, ['', '~', 'null', 'Null', 'NULL']);
words(FLOAT, Number.NaN, ['.nan', '.NaN', '.NAN']);
words(FLOAT, Number.POSITIVE_INFINITY, ['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF']);
words(FLOAT, Number.NEGATIVE_INFINITY, ['-.inf', '-.Inf', '-.INF']);

/** go-yaml's first-character hint: which resolutions a scalar can have at all. */
function hintOf(text: string): 'map' | 'number' | 'dot' | undefined {
  if (text === '') return 'map';
  const first = text[0] ?? '';
  if (first === '+' || first === '-' || (first >= '0' && first <= '9')) return 'number';
  if ('yYnNtTfFoO~'.includes(first)) return 'map';
  if (first === '.') return 'dot';
  return undefined;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

interface Radix {
  /** How JavaScript's BigInt spells the base. */
  readonly prefix: string;
  readonly digits: RegExp;
}

const HEX: Radix = { prefix: '0x', digits: /^[0-9a-fA-F]+$/ };
const OCTAL: Radix = { prefix: '0o', digits: /^[0-7]+$/ };
const BINARY_DIGITS: Radix = { prefix: '0b', digits: /^[01]+$/ };
const DECIMAL: Radix = { prefix: '', digits: /^[0-9]+$/ };
const PREFIXES: ReadonlyMap<string, Radix> = new Map([
  ['0x', HEX],
  ['0o', OCTAL],
  ['0b', BINARY_DIGITS],
]);

/** The magnitude of an unsigned Go integer literal with base 0 (the prefix decides; a leading 0 is octal), or undefined. */
function unsignedLiteral(text: string): bigint | undefined {
  const prefixed = PREFIXES.get(text.slice(0, 2).toLowerCase());
  const [radix, digits] = prefixed !== undefined ? [prefixed, text.slice(2)] : text.length > 1 && text.startsWith('0') ? [OCTAL, text.slice(1)] : [DECIMAL, text];
  return radix.digits.test(digits) ? BigInt(radix.prefix + digits) : undefined;
}

/** `strconv.ParseInt(s, 0, 64)`, then `ParseUint(s, 0, 64)`, as go-yaml tries them. */
function parseGoInteger(text: string): Resolved | undefined {
  const negative = text.startsWith('-');
  const signed = negative || text.startsWith('+');
  const magnitude = unsignedLiteral(signed ? text.slice(1) : text);
  if (magnitude === undefined) return undefined;
  const value = negative ? -magnitude : magnitude;
  if (value >= INT64_MIN && value <= INT64_MAX) return { tag: INT, value: Number(value), exact: value };
  if (!signed && value <= UINT64_MAX) return { tag: INT, value: Number(value), exact: value, unsigned: true };
  return undefined;
}

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const DOT_FLOAT = /^\.[0-9]+([eE][-+]?[0-9]+)?$/;

/** A float Go's ParseFloat accepts without a range error. */
function finiteFloat(text: string): number | undefined {
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

function resolveNumber(text: string): Resolved | undefined {
  const plain = text.replaceAll('_', '');
  const integer = parseGoInteger(plain);
  if (integer !== undefined) return integer;
  if (YAML_STYLE_FLOAT.test(plain)) {
    const float = finiteFloat(plain);
    if (float !== undefined) return { tag: FLOAT, value: float };
  }
  return undefined;
}

/** go-yaml's `resolve(tag, in)` for a resolvable tag ('' for a plain scalar without one). */
function resolveText(text: string, tag: string): Resolved {
  const hint = hintOf(text);
  if (hint === undefined || tag === STR) return { tag: STR, value: text };
  const word = WORDS.get(text);
  if (word !== undefined) return word;
  if (hint === 'dot' && DOT_FLOAT.test(text)) {
    const float = finiteFloat(text);
    if (float !== undefined) return { tag: FLOAT, value: float };
  }
  if (hint === 'number') return resolveNumber(text) ?? { tag: STR, value: text };
  return { tag: STR, value: text };
}

const SHORT_TAGS = new Map([
  [STR, '!!str'],
  [BOOL, '!!bool'],
  [INT, '!!int'],
  [FLOAT, '!!float'],
  [NULL, '!!null'],
  [TIMESTAMP, '!!timestamp'],
]);

function shortTag(tag: string): string {
  return SHORT_TAGS.get(tag) ?? tag;
}

const TIMESTAMP_FORM = /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[Tt ]([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:\.[0-9]+)?(?:[Zz]|[-+][0-9]{2}:[0-9]{2})?)?$/;

/** One of go-yaml's timestamp forms, naming a real date and time (Go's time.Parse refuses 2001-13-45). */
function isTimestampText(text: string): boolean {
  const parts = TIMESTAMP_FORM.exec(text);
  if (parts === null) return false;
  // A date alone has no time groups: they count as midnight.
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = parts.slice(1, 7).map((part) => Number(part) || 0);
  const date = new Date(Date.UTC(year, month - 1, day));
  const realDay = date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return realDay && Math.max(hour - 23, minute - 59, second - 59) <= 0;
}

function asResult(resolved: Resolved): ScalarResult {
  if (resolved.tag !== INT) return { value: resolved.value };
  const integer = resolved.exact ?? BigInt(Number(resolved.value));
  return resolved.unsigned === true ? { value: resolved.value, integer, unsigned: true } : { value: resolved.value, integer };
}

/** A tag explicitly given must agree with what the text resolves to (a `!!float` may take an int). */
function checkedAgainst(tag: string, text: string, resolved: Resolved): ScalarResult {
  if (tag === STR) return { value: resolved.value };
  if (tag === '' || tag === resolved.tag) return asResult(resolved);
  if (tag === FLOAT && resolved.tag === INT && resolved.unsigned !== true) return { value: resolved.value };
  if (tag === TIMESTAMP && resolved.tag === STR && isTimestampText(text)) return { value: text };
  return { error: `cannot decode ${shortTag(resolved.tag)} \`${text}\` as a ${shortTag(tag)}` };
}

function decodeBase64(text: string): ScalarResult {
  // Go's base64 decoder skips line breaks only; a space or tab is invalid data.
  const compact = text.replace(/[\r\n]+/g, '');
  if (!/^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(compact)) return { error: '!!binary value contains invalid base64 data' };
  return { value: Buffer.from(compact, 'base64').toString('latin1') };
}

/**
 * A scalar's value. `plain` is true for an unquoted, non-block scalar; `tag` is the
 * explicit tag in its long form (`tag:yaml.org,2002:int`, `!foo`), or '' for none.
 */
export function resolveScalar(text: string, plain: boolean, tag: string): ScalarResult {
  if (tag === '' && !plain) return { value: text };
  if (tag === BINARY) return decodeBase64(text);
  if (!RESOLVABLE.has(tag)) return { value: text };
  return checkedAgainst(tag, text, resolveText(text, tag));
}

/** Whether a resolved value has a JSON form (encoding/json refuses NaN and the infinities). */
export function jsonError(value: Scalar): string | undefined {
  if (typeof value !== 'number' || Number.isFinite(value)) return undefined;
  const name = Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf';
  return `json: unsupported value: ${name}`;
}

/** The shortest decimal digits (no point, no trailing zeros) and exponent that read back as the same float32. */
function float32Digits(value: number): { readonly digits: string; readonly exponent: number } {
  const single = Math.abs(Math.fround(value));
  let precision = 1;
  while (precision < 9 && Math.fround(Number(single.toPrecision(precision))) !== single) precision++;
  const [mantissa = '0', exponent = '0'] = single.toExponential(precision - 1).split('e');
  return { digits: mantissa.replace('.', '').replace(/0+$/, '') || '0', exponent: Number(exponent) };
}

/** Go's FormatFloat(f, 'g', -1, 32): exponent form below 1e-4 and from 1e6 (`1e+06`), plain digits between. */
function float32Text(value: number): string {
  const { digits, exponent } = float32Digits(value);
  const sign = Math.fround(value) < 0 ? '-' : '';
  if (exponent < -4 || exponent >= 6) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : '';
    const magnitude = String(Math.abs(exponent)).padStart(2, '0');
    return `${sign}${digits.charAt(0)}${fraction}e${exponent < 0 ? '-' : '+'}${magnitude}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = digits.padEnd(exponent + 1, '0').slice(0, exponent + 1);
  const fraction = digits.slice(exponent + 1);
  return `${sign}${whole}${fraction === '' ? '' : `.${fraction}`}`;
}

/** A map key as sigs.k8s.io/yaml turns it into a JSON object key, or its error for a null or uint64 key. */
export function keyText(key: Exclude<ScalarResult, { readonly error: string }>): { readonly key: string } | { readonly error: string } {
  const { value } = key;
  if (value === null) return { error: 'unsupported map key of type: %!s(<nil>), key: <nil>' };
  if (typeof value === 'string') return { key: value };
  if (typeof value === 'boolean') return { key: value ? 'true' : 'false' };
  if (key.unsigned === true) return { error: `unsupported map key of type: uint64, key: 0x${(key.integer ?? 0n).toString(16)}` };
  if (key.integer !== undefined) return { key: key.integer.toString() };
  return { key: floatKey(value) };
}

/** As float32: beyond its range a float key is an infinity (`1e39` is `.inf`), and -0 keeps its sign. */
function floatKey(key: number): string {
  const single = Math.fround(key);
  if (Number.isNaN(single)) return '.nan';
  if (!Number.isFinite(single)) return single > 0 ? '.inf' : '-.inf';
  if (Object.is(single, -0)) return '-0';
  return float32Text(key);
}
