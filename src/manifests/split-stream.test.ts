import { describe, expect, it } from 'vitest';
import { splitStream, StreamError, type StreamDocument } from './split-stream.js';

const yaml = (text: string, firstLine: number): StreamDocument => ({ text, firstLine, json: false });
const json = (text: string, firstLine: number): StreamDocument => ({ text, firstLine, json: true });

function streamError(text: string): StreamError {
  try {
    splitStream(text);
  } catch (error: unknown) {
    if (error instanceof StreamError) return error;
    throw error;
  }
  throw new Error('expected a StreamError');
}

describe('splitStream: YAML', () => {
  it('keeps a single document whole, with or without a final newline', () => {
    expect(splitStream('a: 1\nb: 2\n')).toEqual([yaml('a: 1\nb: 2\n', 1)]);
    expect(splitStream('a: 1')).toEqual([yaml('a: 1', 1)]);
  });

  it('has no documents for an empty file', () => {
    expect(splitStream('')).toEqual([]);
  });

  it('keeps a blank document (the decoder finds it empty)', () => {
    expect(splitStream('\n')).toEqual([yaml('\n', 1)]);
  });

  it('splits on --- lines, giving each document the line it starts on', () => {
    expect(splitStream('---\na: 1\n---\nb: 2\n')).toEqual([yaml('a: 1\n', 2), yaml('b: 2\n', 4)]);
  });

  it('drops nothing between two adjacent separators, but keeps a blank line between them', () => {
    expect(splitStream('a: 1\n---\n---\nb: 2\n')).toEqual([yaml('a: 1\n', 1), yaml('b: 2\n', 4)]);
    expect(splitStream('a: 1\n---\n\n---\nb: 2\n')).toEqual([yaml('a: 1\n', 1), yaml('\n', 3), yaml('b: 2\n', 5)]);
  });

  it('allows a comment or spaces after the marker', () => {
    expect(splitStream('--- #c\na: 1\n---\t# c\nb: 2\n---#x\nc: 3\n')).toEqual([yaml('a: 1\n', 2), yaml('b: 2\n', 4), yaml('c: 3\n', 6)]);
    expect(splitStream('a: 1\n---   \nb: 2\n---\n')).toEqual([yaml('a: 1\n', 1), yaml('b: 2\n', 3)]);
  });

  it('splits CRLF files', () => {
    expect(splitStream('a: 1\r\n---\r\nb: 2\r\n')).toEqual([yaml('a: 1\r\n', 1), yaml('b: 2\r\n', 3)]);
  });

  it('does not split on an indented --- (a block scalar line or a plain continuation)', () => {
    expect(splitStream('a: |\n  x\n  ---\nb: 2\n')).toEqual([yaml('a: |\n  x\n  ---\nb: 2\n', 1)]);
    expect(splitStream('a: 1\n ---\n')).toEqual([yaml('a: 1\n ---\n', 1)]);
  });

  it.each([
    ['a: 1\n--- x\n', 'invalid Yaml document separator: x', 2],
    ['a: 1\n----\n', 'invalid Yaml document separator: -', 2],
    ['a: 1\n--- |\n  x\n', 'invalid Yaml document separator: |', 2],
    ['a: 1\n---\nb: 2\n--- bad\nc: 3\n', 'invalid Yaml document separator: bad', 4],
    ['--- apiVersion: v1\n', 'invalid Yaml document separator: apiVersion: v1', 1],
  ])('refuses content after the marker in %j as kubectl does', (text, message, line) => {
    const error = streamError(text);
    expect(error.message).toBe(message);
    expect(error.line).toBe(line);
  });
});

describe('splitStream: JSON', () => {
  it('reads a stream starting with { as JSON', () => {
    expect(splitStream('{"a":1}')).toEqual([json('{"a":1}', 1)]);
    expect(splitStream('{\n  "kind": "A"\n}\n')).toEqual([json('{\n  "kind": "A"\n}', 1)]);
  });

  it('reads concatenated JSON values, after leading spaces', () => {
    expect(splitStream('  {"a":1}{"b":2}\n')).toEqual([json('{"a":1}', 1), json('{"b":2}', 1)]);
    expect(splitStream('{"a":1}\n{"b":2}\n')).toEqual([json('{"a":1}', 1), json('{"b":2}', 2)]);
  });

  it('reads any JSON value after the first object', () => {
    expect(splitStream('{"a":1} 5 "s" true null\n')).toEqual([json('{"a":1}', 1), json('5', 1), json('"s"', 1), json('true', 1), json('null', 1)]);
  });

  it('is not fooled by brackets and escaped quotes inside strings', () => {
    const text = '{"a": "}", "b": ["]", {"c": "\\"}"}]}';
    expect(splitStream(`${text}\n`)).toEqual([json(text, 1)]);
  });

  it('reads the rest as YAML when the second value is not JSON', () => {
    expect(splitStream('{"a":1}\n---\nb: 2\n')).toEqual([json('{"a":1}', 1), yaml('b: 2\n', 3)]);
    expect(splitStream('{"a":1}\n---\n{"b":2}\n')).toEqual([json('{"a":1}', 1), yaml('{"b":2}\n', 3)]);
    expect(splitStream('{"kind": "A"} x: 1\n')).toEqual([json('{"kind": "A"}', 1), yaml('x: 1\n', 1)]);
    // kubectl skips spaces up to and including the first newline only: the rest, indentation and all, is YAML.
    expect(splitStream('{"kind": "A"}   \n  \nb: 2\n')).toEqual([json('{"kind": "A"}', 1), yaml('  \nb: 2\n', 2)]);
    expect(splitStream('{"a":1}\n  b: 2\n  c: 3\n')).toEqual([json('{"a":1}', 1), yaml('  b: 2\n  c: 3\n', 2)]);
  });

  it('reads as YAML a stream whose first value is not JSON', () => {
    expect(splitStream('{a: 1}\n')).toEqual([yaml('{a: 1}\n', 1)]);
    expect(splitStream('{"a": 1\n')).toEqual([yaml('{"a": 1\n', 1)]);
  });

  it('reads a stream starting with [ as YAML (only { marks JSON)', () => {
    expect(splitStream('[1, 2]\n')).toEqual([yaml('[1, 2]\n', 1)]);
  });

  it('fails when a value after the second is not JSON, on its line', () => {
    const error = streamError('{"a":1}\n{"b":2}\n{bad\n');
    expect(error.line).toBe(3);
    expect(streamError('{"a":1}\n{"b":2}\n---\nc: 3\n').line).toBe(3);
  });
});
