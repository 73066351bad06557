import { describe, expect, it } from 'vitest';
import { jsonError, keyText, resolveScalar, type Scalar, type ScalarResult } from './yaml11-scalar.js';

// Every expected value below is what kubectl's own decoder (apimachinery's YAMLOrJSONDecoder
// over sigs.k8s.io/yaml and go-yaml v2) produced for `v: <text>` or `<text>: v`.

const TAG = {
  str: 'tag:yaml.org,2002:str',
  int: 'tag:yaml.org,2002:int',
  float: 'tag:yaml.org,2002:float',
  bool: 'tag:yaml.org,2002:bool',
  null: 'tag:yaml.org,2002:null',
  timestamp: 'tag:yaml.org,2002:timestamp',
  binary: 'tag:yaml.org,2002:binary',
} as const;

const plain = (text: string): ScalarResult => resolveScalar(text, true, '');

/** The value of a scalar that resolved without an error. */
function valueOf(result: ScalarResult): Scalar {
  if ('error' in result) throw new Error(`unexpected error: ${result.error}`);
  return result.value;
}

function keyOf(text: string, isPlain = true, tag = ''): string {
  const resolved = resolveScalar(text, isPlain, tag);
  if ('error' in resolved) throw new Error(`unexpected error: ${resolved.error}`);
  const key = keyText(resolved);
  if ('error' in key) throw new Error(`unexpected key error: ${key.error}`);
  return key.key;
}

describe('resolveScalar: booleans', () => {
  it.each(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'])('reads %s as true', (text) => {
    expect(plain(text)).toEqual({ value: true });
  });

  it.each(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'])('reads %s as false', (text) => {
    expect(plain(text)).toEqual({ value: false });
  });

  it.each(['yEs', 'yES', 'tRue', 'TRue', 'oN', 'oFF', 'nO', 'fALSE', 'yeah', 'nope', 'ok'])('keeps the spelling go-yaml does not list, %j, a string', (text) => {
    expect(plain(text)).toEqual({ value: text });
  });

  it.each(['yes', 'y', 'on', 'true', 'no', 'off'])('keeps a quoted %s a string', (text) => {
    expect(resolveScalar(text, false, '')).toEqual({ value: text });
  });
});

describe('resolveScalar: nulls', () => {
  it.each(['', '~', 'null', 'Null', 'NULL'])('reads %j as null', (text) => {
    expect(plain(text)).toEqual({ value: null });
  });

  it.each(['nULL', 'nil', 'None', 'NuLL'])('keeps %s a string', (text) => {
    expect(plain(text)).toEqual({ value: text });
  });

  it('keeps a quoted ~ or empty string a string', () => {
    expect(resolveScalar('~', false, '')).toEqual({ value: '~' });
    expect(resolveScalar('', false, '')).toEqual({ value: '' });
    expect(resolveScalar('null', false, '')).toEqual({ value: 'null' });
  });
});

describe('resolveScalar: integers as strconv.ParseInt(s, 0, 64) reads them', () => {
  it.each([
    ['0', 0],
    ['00', 0],
    ['+12', 12],
    ['-0', 0],
    ['0755', 493],
    ['0_755', 493],
    ['0x1F', 31],
    ['0X1F', 31],
    ['0x_1F', 31],
    ['0x1_F', 31],
    ['-0x10', -16],
    ['+0x10', 16],
    ['0o17', 15],
    ['0O17', 15],
    ['-0o17', -15],
    ['+0o17', 15],
    ['0b101', 5],
    ['0B101', 5],
    ['-0b11', -3],
    ['+0b11', 3],
    ['1_000', 1000],
    ['1__0', 10],
    ['1_', 1],
    ['+1_', 1],
    ['-_1', -1],
  ])('reads %s as the integer %d', (text, value) => {
    expect(plain(text)).toEqual({ value, integer: BigInt(value) });
  });

  it('reads the int64 edges as integers', () => {
    // The number loses precision above 2^53, as JSON.parse would; the exact integer is kept for keys.
    expect(plain('9223372036854775807')).toEqual({ value: Number('9223372036854775807'), integer: 9223372036854775807n });
    expect(plain('9_223_372_036_854_775_807')).toEqual({ value: Number('9223372036854775807'), integer: 9223372036854775807n });
    expect(plain('-9223372036854775808')).toEqual({ value: -(2 ** 63), integer: -9223372036854775808n });
    expect(plain('-0x8000000000000000')).toEqual({ value: -(2 ** 63), integer: -9223372036854775808n });
  });

  it('reads what only fits a uint64 as an unsigned integer', () => {
    const max = { value: 2 ** 64, integer: 18446744073709551615n, unsigned: true };
    expect(plain('9223372036854775808')).toEqual({ value: 2 ** 63, integer: 9223372036854775808n, unsigned: true });
    expect(plain('0x8000000000000000')).toEqual({ value: 2 ** 63, integer: 9223372036854775808n, unsigned: true });
    expect(plain('18446744073709551615')).toEqual(max);
    expect(plain('0xFFFFFFFFFFFFFFFF')).toEqual(max);
    expect(plain('0b' + '1'.repeat(64))).toEqual(max);
    expect(plain('01777777777777777777777')).toEqual(max);
    expect(plain('0o1777777777777777777777')).toEqual(max);
  });

  it('reads a decimal beyond uint64, or a negative beyond int64, as a float', () => {
    expect(plain('18446744073709551616')).toEqual({ value: 2 ** 64 });
    expect(plain('-9223372036854775809')).toEqual({ value: -(2 ** 63) });
  });

  it('keeps a prefixed literal beyond uint64 a string (it is no float either)', () => {
    expect(plain('0x10000000000000000')).toEqual({ value: '0x10000000000000000' });
  });

  it.each(['0x', '0o', '0b', '0b2', '0o8', '0x-1', '0xG', '_1', '+', '-0x', '1.2.3', '0x1.8p1'])('keeps %s a string', (text) => {
    expect(plain(text)).toEqual({ value: text });
  });

  it('keeps a quoted number a string', () => {
    expect(resolveScalar('0755', false, '')).toEqual({ value: '0755' });
    expect(resolveScalar('1e3', false, '')).toEqual({ value: '1e3' });
  });
});

describe('resolveScalar: floats', () => {
  it.each([
    ['08', 8],
    ['09', 9],
    ['-08', -8],
    ['0099', 99],
    ['08.5', 8.5],
    ['1.5', 1.5],
    ['1.', 1],
    ['0.', 0],
    ['00.0', 0],
    ['.5', 0.5],
    ['+.5', 0.5],
    ['-.5', -0.5],
    ['1e3', 1000],
    ['1E3', 1000],
    ['1e+3', 1000],
    ['12e03', 12000],
    ['1.5E-3', 0.0015],
    ['0.1e1', 1],
    ['0.1_0', 0.1],
    ['1_000.5', 1000.5],
    ['1_0.5_0', 10.5],
    ['1_e3', 1000],
    ['1e3_0', 1e30],
    ['1e-400', 0],
  ])('reads %s as the float %d (not an integer)', (text, value) => {
    expect(plain(text)).toEqual({ value });
  });

  it('keeps the sign of a negative zero float', () => {
    expect(Object.is(valueOf(plain('-0.0')), -0)).toBe(true);
    expect(Object.is(valueOf(plain('-1e-400')), -0)).toBe(true);
    expect(Object.is(valueOf(plain('-0')), 0)).toBe(true);
  });

  it.each(['1e400', '-1e400', '1e+400', '1e', '.e3', '._5', '.', 'inf', 'nan', 'Infinity', '1.5.', '1e3.5'])('keeps %s a string', (text) => {
    expect(plain(text)).toEqual({ value: text });
  });

  it.each([
    ['.inf', Number.POSITIVE_INFINITY],
    ['.Inf', Number.POSITIVE_INFINITY],
    ['.INF', Number.POSITIVE_INFINITY],
    ['+.inf', Number.POSITIVE_INFINITY],
    ['+.Inf', Number.POSITIVE_INFINITY],
    ['+.INF', Number.POSITIVE_INFINITY],
    ['-.inf', Number.NEGATIVE_INFINITY],
    ['-.Inf', Number.NEGATIVE_INFINITY],
    ['-.INF', Number.NEGATIVE_INFINITY],
  ])('reads %s as an infinity', (text, value) => {
    expect(valueOf(plain(text))).toBe(value);
  });

  it.each(['.nan', '.NaN', '.NAN'])('reads %s as NaN', (text) => {
    expect(valueOf(plain(text))).toBeNaN();
  });

  it.each(['.iNF', '.nAn', '-.nan', 'NaN', '-inf'])('keeps %s a string', (text) => {
    expect(plain(text)).toEqual({ value: text });
  });
});

describe('resolveScalar: timestamps and other text', () => {
  it.each(['2001-12-14', '2001-12-14t21:59:43.10-05:00', '2001-12-14T21:59:43Z', '2001-12-14 21:59:43.10 -5', '12:30', '1:20', '190:20:30', 'nginx:1.27', '80/TCP'])(
    'keeps %s the string written',
    (text) => {
      expect(plain(text)).toEqual({ value: text });
    },
  );
});

describe('resolveScalar: explicit tags', () => {
  it.each([
    ['123', TAG.str, '123'],
    ['yes', TAG.str, 'yes'],
    ['~', TAG.str, '~'],
    ['.inf', TAG.str, '.inf'],
    ['', TAG.str, ''],
    ['123', TAG.int, 123],
    ['0x1F', TAG.int, 31],
    ['0b11', TAG.int, 3],
    ['0755', TAG.int, 493],
    ['1', TAG.float, 1],
    ['1.5', TAG.float, 1.5],
    ['1_0', TAG.float, 10],
    ['yes', TAG.bool, true],
    ['y', TAG.bool, true],
    ['on', TAG.bool, true],
    ['', TAG.null, null],
    ['~', TAG.null, null],
    ['2001-12-14', TAG.timestamp, '2001-12-14'],
    ['2001-12-14t21:59:43.10-05:00', TAG.timestamp, '2001-12-14t21:59:43.10-05:00'],
    ['2001-12-14T21:59:43Z', TAG.timestamp, '2001-12-14T21:59:43Z'],
    ['2001-12-14 21:59:43.10', TAG.timestamp, '2001-12-14 21:59:43.10'],
    ['2001-1-1', TAG.timestamp, '2001-1-1'],
    ['yes', '!custom', 'yes'],
    ['123', '!custom', '123'],
    ['123', '!', '123'],
    ['yes', '!', 'yes'],
  ])('reads plain %j tagged %s as %j', (text, tag, value) => {
    expect(valueOf(resolveScalar(text, true, tag))).toEqual(value);
  });

  it('resolves a quoted scalar by its tag', () => {
    expect(resolveScalar('123', false, TAG.int)).toEqual({ value: 123, integer: 123n });
    expect(resolveScalar('0755', false, TAG.int)).toEqual({ value: 493, integer: 493n });
    expect(resolveScalar('1.5', false, TAG.float)).toEqual({ value: 1.5 });
    expect(resolveScalar('true', false, TAG.bool)).toEqual({ value: true });
    expect(resolveScalar('on', false, TAG.bool)).toEqual({ value: true });
    expect(resolveScalar('', false, TAG.null)).toEqual({ value: null });
    expect(resolveScalar('2001-12-14', false, TAG.timestamp)).toEqual({ value: '2001-12-14' });
  });

  it('keeps the integer marks when an !!int tag agrees', () => {
    expect(resolveScalar('18446744073709551615', true, TAG.int)).toEqual({ value: 2 ** 64, integer: 18446744073709551615n, unsigned: true });
  });

  it('reads an int given a !!float tag as a float (no integer mark)', () => {
    expect(resolveScalar('3', true, TAG.float)).toEqual({ value: 3 });
    expect(resolveScalar('9223372036854775807', true, TAG.float)).toEqual({ value: 2 ** 63 });
  });

  it.each([
    ['1.5', TAG.int, 'cannot decode !!float `1.5` as a !!int'],
    ['yes', TAG.int, 'cannot decode !!bool `yes` as a !!int'],
    ['abc', TAG.int, 'cannot decode !!str `abc` as a !!int'],
    ['.nan', TAG.int, 'cannot decode !!float `.nan` as a !!int'],
    ['abc', TAG.float, 'cannot decode !!str `abc` as a !!float'],
    ['1e400', TAG.float, 'cannot decode !!str `1e400` as a !!float'],
    ['18446744073709551615', TAG.float, 'cannot decode !!int `18446744073709551615` as a !!float'],
    ['1', TAG.bool, 'cannot decode !!int `1` as a !!bool'],
    ['abc', TAG.null, 'cannot decode !!str `abc` as a !!null'],
    ['abc', TAG.timestamp, 'cannot decode !!str `abc` as a !!timestamp'],
    ['123', TAG.timestamp, 'cannot decode !!int `123` as a !!timestamp'],
    ['2001-12-14 21:59:43.10 -5', TAG.timestamp, 'cannot decode !!str `2001-12-14 21:59:43.10 -5` as a !!timestamp'],
  ])('refuses %j tagged %s: %s', (text, tag, error) => {
    expect(resolveScalar(text, true, tag)).toEqual({ error });
  });

  it('refuses a quoted scalar whose text does not fit its tag', () => {
    expect(resolveScalar('abc', false, TAG.int)).toEqual({ error: 'cannot decode !!str `abc` as a !!int' });
  });

  it('reads !!float .inf and .nan (they fail later, as JSON)', () => {
    expect(valueOf(resolveScalar('.inf', true, TAG.float))).toBe(Number.POSITIVE_INFINITY);
    expect(valueOf(resolveScalar('.nan', true, TAG.float))).toBeNaN();
  });

  it('decodes !!binary base64 to the bytes as a string', () => {
    expect(resolveScalar('aGVsbG8=', true, TAG.binary)).toEqual({ value: 'hello' });
    expect(resolveScalar('aGVsbG8=', false, TAG.binary)).toEqual({ value: 'hello' });
    expect(resolveScalar('aGVs\nbG8=', false, TAG.binary)).toEqual({ value: 'hello' });
    expect(resolveScalar('', true, TAG.binary)).toEqual({ value: '' });
  });

  it.each(['aGVsbG8', '?*', 'a'])('refuses the invalid base64 %j', (text) => {
    expect(resolveScalar(text, true, TAG.binary)).toEqual({ error: '!!binary value contains invalid base64 data' });
  });
});

describe('jsonError', () => {
  it('names the values encoding/json cannot write', () => {
    expect(jsonError(Number.NaN)).toBe('json: unsupported value: NaN');
    expect(jsonError(Number.POSITIVE_INFINITY)).toBe('json: unsupported value: +Inf');
    expect(jsonError(Number.NEGATIVE_INFINITY)).toBe('json: unsupported value: -Inf');
  });

  it.each([0, -0, 1.5, 2 ** 64, 'NaN', '.inf', true, null])('accepts %j', (value) => {
    expect(jsonError(value)).toBeUndefined();
  });
});

describe('keyText', () => {
  it.each([
    ['1e6', '1e+06'],
    ['1e+06', '1e+06'],
    ['-1e6', '-1e+06'],
    ['1.1e6', '1.1e+06'],
    ['1234567.0', '1.234567e+06'],
    ['123456789.0', '1.2345679e+08'],
    ['16777217.0', '1.6777216e+07'],
    ['100000000.0', '1e+08'],
    ['1e38', '1e+38'],
    ['3.4e38', '3.4e+38'],
    ['0.00001', '1e-05'],
    ['-0.00001', '-1e-05'],
    ['2.5e-7', '2.5e-07'],
    ['1.0e-10', '1e-10'],
    ['1e-45', '1e-45'],
    ['1e-46', '0'],
    ['0.0001', '0.0001'],
    ['1e-4', '0.0001'],
    ['0.000123', '0.000123'],
    ['1.5', '1.5'],
    ['-2.5', '-2.5'],
    ['0.1', '0.1'],
    ['0.3', '0.3'],
    ['0.5', '0.5'],
    ['0.0', '0'],
    ['7.0', '7'],
    ['1e3', '1000'],
    ['1e5', '100000'],
    ['100000.0', '100000'],
    ['999999.0', '999999'],
    ['123456.7', '123456.7'],
    ['65536.5', '65536.5'],
    ['12345.678', '12345.678'],
    ['3.14159265358979', '3.1415927'],
    ['08', '8'],
  ])('writes the float key %s as Go FormatFloat(f, g, -1, 32): %s', (text, key) => {
    expect(keyOf(text)).toBe(key);
  });

  it.each([
    ['0x1F', '31'],
    ['0755', '493'],
    ['1_000', '1000'],
    ['1000000', '1000000'],
    ['-12', '-12'],
  ])('writes the integer key %s in decimal: %s', (text, key) => {
    expect(keyOf(text)).toBe(key);
  });

  it('writes booleans as true and false', () => {
    expect(keyOf('yes')).toBe('true');
    expect(keyOf('on')).toBe('true');
    expect(keyOf('no')).toBe('false');
    expect(keyOf('OFF')).toBe('false');
  });

  it('writes the infinities and NaN as go-yaml spells them', () => {
    expect(keyOf('.inf')).toBe('.inf');
    expect(keyOf('-.inf')).toBe('-.inf');
    expect(keyOf('.nan')).toBe('.nan');
  });

  it('keeps strings as written', () => {
    expect(keyOf('1e400')).toBe('1e400');
    expect(keyOf('2001-12-14')).toBe('2001-12-14');
    expect(keyOf('1.5', false)).toBe('1.5');
    expect(keyOf('1.5', true, TAG.str)).toBe('1.5');
    expect(keyOf('3', true, TAG.float)).toBe('3');
  });

  it('refuses a null key', () => {
    expect(keyText({ value: null })).toEqual({ error: 'unsupported map key of type: %!s(<nil>), key: <nil>' });
  });

  it('refuses a uint64 key, naming it in hex', () => {
    expect(keyText({ value: 2 ** 63, integer: 2n ** 63n, unsigned: true })).toEqual({ error: 'unsupported map key of type: uint64, key: 0x8000000000000000' });
  });
});

describe('resolveScalar: what Go refuses in tagged scalars', () => {
  it('refuses !!binary data with a space or a tab inside (Go skips line breaks only)', () => {
    expect(resolveScalar('aGVs bG8=', false, 'tag:yaml.org,2002:binary')).toEqual({ error: '!!binary value contains invalid base64 data' });
    expect(resolveScalar('aGVs\nbG8=', false, 'tag:yaml.org,2002:binary')).toEqual({ value: 'hello' });
  });

  it('refuses a !!timestamp that names no real date', () => {
    expect(resolveScalar('2001-13-45', true, 'tag:yaml.org,2002:timestamp')).toEqual({ error: 'cannot decode !!str `2001-13-45` as a !!timestamp' });
    expect(resolveScalar('2001-02-29', true, 'tag:yaml.org,2002:timestamp')).toEqual({ error: 'cannot decode !!str `2001-02-29` as a !!timestamp' });
    expect(resolveScalar('2004-02-29', true, 'tag:yaml.org,2002:timestamp')).toEqual({ value: '2004-02-29' });
  });
});
