/**
 * A manifest file into documents, as kubectl splits it (k8s.io/apimachinery
 * `YAMLOrJSONDecoder`): a stream whose first non-space character is `{` is read as
 * concatenated JSON values; if the first or second value fails, the rest (after the
 * values read) is YAML. YAML is split on lines that begin with `---`, where only a
 * comment may follow the marker. Pure.
 */

export interface StreamDocument {
  readonly text: string;
  /** 1-based line of the document's first line in the file. */
  readonly firstLine: number;
  /** Read as JSON (encoding/json), not YAML. */
  readonly json: boolean;
}

/** What kubectl refuses while splitting the stream, with its own message. */
export class StreamError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

const SPACE = /\s/u;

function isSpace(text: string, at: number): boolean {
  return at < text.length && SPACE.test(text.charAt(at));
}

function skipSpace(text: string, from: number): number {
  let at = from;
  while (isSpace(text, at)) at++;
  return at;
}

/** The offset just past the JSON string whose opening quote is at `start`. */
function stringEnd(text: string, start: number): number {
  let at = start + 1;
  while (at < text.length && text[at] !== '"') at += text[at] === '\\' ? 2 : 1;
  return at + 1;
}

const JSON_SCALAR = /^(?:"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null)/;

/** The end of the JSON value starting at `start` (a bracket-balanced scan), or undefined when the text ends first. */
function jsonValueEnd(text: string, start: number): number | undefined {
  const open = text[start];
  if (open !== '{' && open !== '[') {
    const scalar = JSON_SCALAR.exec(text.slice(start, start + 4096));
    return scalar === null ? undefined : start + scalar[0].length;
  }
  return collectionEnd(text, start);
}

const DEPTH_CHANGE: Readonly<Record<string, number>> = { '{': 1, '[': 1, '}': -1, ']': -1 };

function collectionEnd(text: string, start: number): number | undefined {
  let depth = 0;
  let at = start;
  while (at < text.length) {
    const char = text.charAt(at);
    if (char === '"') {
      at = stringEnd(text, at);
      continue;
    }
    depth += DEPTH_CHANGE[char] ?? 0;
    at++;
    if (depth === 0) return at;
  }
  return undefined;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

interface JsonPrefix {
  readonly documents: StreamDocument[];
  /** Where the YAML rest begins, or undefined when the whole stream was JSON. */
  readonly yamlFrom: number | undefined;
}

function jsonValues(text: string): JsonPrefix {
  const documents: StreamDocument[] = [];
  let at = skipSpace(text, 0);
  let afterLast = 0;
  while (at < text.length) {
    const end = jsonValueEnd(text, at);
    const candidate = end === undefined ? undefined : text.slice(at, end);
    if (candidate === undefined || !isJson(candidate)) {
      if (documents.length > 1) throw new StreamError(jsonErrorText(text.slice(at)), lineAt(text, at));
      return { documents, yamlFrom: documents.length === 0 ? 0 : afterWhitespaceLine(text, afterLast) };
    }
    documents.push({ text: candidate, firstLine: lineAt(text, at), json: true });
    afterLast = at + candidate.length;
    at = skipSpace(text, afterLast);
  }
  return { documents, yamlFrom: undefined };
}

/** Where kubectl resumes as YAML after the JSON read: past spaces, up to and including the first newline. */
function afterWhitespaceLine(text: string, from: number): number {
  let at = from;
  while (isSpace(text, at)) {
    if (text[at] === '\n') return at + 1;
    at++;
  }
  return at;
}

function jsonErrorText(rest: string): string {
  try {
    JSON.parse(rest);
    return 'invalid JSON';
  } catch (error: unknown) {
    return (error as Error).message;
  }
}

/** kubectl's YAML splitter: a line starting with `---` ends a document; anything but a comment after it is an error. */
function yamlDocuments(text: string, from: number, firstLine: number): StreamDocument[] {
  const documents: StreamDocument[] = [];
  let start = from;
  let startLine = firstLine;
  let line = firstLine;
  let at = from;
  while (at <= text.length) {
    const newline = text.indexOf('\n', at);
    const end = newline === -1 ? text.length : newline + 1;
    if (text.startsWith('---', at)) {
      const rest = text.slice(at + 3, end).trim();
      if (rest !== '' && !rest.startsWith('#')) throw new StreamError(`invalid Yaml document separator: ${rest}`, line);
      if (at > start) documents.push({ text: text.slice(start, at), firstLine: startLine, json: false });
      start = end;
      startLine = line + 1;
    }
    if (newline === -1) break;
    at = end;
    line++;
  }
  if (start < text.length) documents.push({ text: text.slice(start), firstLine: startLine, json: false });
  return documents;
}

export function splitStream(text: string): StreamDocument[] {
  if (text[skipSpace(text, 0)] !== '{') return yamlDocuments(text, 0, 1);
  const { documents, yamlFrom } = jsonValues(text);
  if (yamlFrom === undefined) return documents;
  return [...documents, ...yamlDocuments(text, yamlFrom, lineAt(text, yamlFrom))];
}
