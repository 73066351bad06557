/**
 * A manifest file into Kubernetes objects, read exactly as kubectl 1.33 reads it: split
 * into documents as apimachinery's YAMLOrJSONDecoder does, YAML 1.1 through go-yaml's
 * rules, JSON values as encoding/json reads them, `kind: List` items as objects of their
 * own. Each object keeps where it came from, so a finding names the file and line of the
 * field; lines are found only when asked (re-reading that one document), so a large
 * input costs no position tables. Pure: text in, objects or an error out.
 */
import { isRecord, type FieldPath, type JsonRecord } from '../core/kubernetes/shape.js';
import { GuardrailsError } from '../errors.js';
import type { ObjectSource, ReplacedKey } from '../rules/types.js';
import { DecodeError, decodeDocument, type DecodedDocument } from './decode-document.js';
import { readExact } from './read-exact.js';
import { readDirect } from './read-direct.js';
import { readFast } from './read-fast.js';
import { splitStream, StreamError, type StreamDocument } from './split-stream.js';

export type { StreamDocument } from './split-stream.js';
import type { YamlNode } from './yaml-nodes.js';

export interface ManifestObject {
  readonly object: JsonRecord;
  /** 1-based line where the object starts. */
  readonly line: number;
  /** 1-based line of the field at `path`, or of the nearest enclosing field. */
  readonly lineOf: (path: FieldPath) => number;
  /** What kubectl did to the text on the way: values it dropped. */
  readonly source: ObjectSource;
}

function manifestError(message: string): GuardrailsError {
  return new GuardrailsError('KG_BAD_MANIFEST', message);
}

/** The node tree of one document: the fast reader, or the exact one where it is unsure or the YAML is invalid. */
function readNodes(document: StreamDocument, source: string): YamlNode {
  let nodes: YamlNode | undefined;
  try {
    nodes = readFast(document.text, document.firstLine);
  } catch {
    nodes = undefined;
  }
  return nodes ?? readExact(document.text, document.firstLine, source);
}

/** The line of a document's first content (past blank lines and comments): where its object starts. */
function contentLine(document: StreamDocument): number {
  const lines = document.text.split('\n', 200);
  const offset = lines.findIndex((line) => {
    const trimmed = line.trim();
    return trimmed !== '' && !trimmed.startsWith('#');
  });
  return document.firstLine + Math.max(offset, 0);
}

function decode(document: StreamDocument, source: string, withLines: boolean): DecodedDocument {
  const direct = document.json || withLines ? undefined : readDirect(document.text);
  if (direct !== undefined) {
    const line = contentLine(document);
    return { value: direct.value, replaced: [], lineOf: () => line };
  }
  try {
    const decoded = decodeDocument(readNodes(document, source), withLines);
    // A JSON document is read by encoding/json, not go-yaml; the YAML reading still finds its lines and repeated keys.
    return document.json ? { ...decoded, value: JSON.parse(document.text) as unknown } : decoded;
  } catch (error: unknown) {
    if (error instanceof DecodeError) throw manifestError(`${source}:${error.line}: ${error.message}`);
    throw error;
  }
}

/** Lines for one document, found by reading it again the first time a line is asked for. */
function lazyLines(document: StreamDocument, source: string): (path: FieldPath) => number {
  let lineOf: ((path: FieldPath) => number) | undefined;
  return (path) => {
    lineOf ??= decode(document, source, true).lineOf;
    return lineOf(path);
  };
}

/** The replaced keys under a prefix of the path, re-rooted at it (a List's item). */
function replacedUnder(replaced: readonly ReplacedKey[], prefix: FieldPath): ReplacedKey[] {
  return replaced
    .filter((key) => prefix.every((segment, i) => key.path[i] === segment))
    .map((key) => ({ ...key, path: key.path.slice(prefix.length) }));
}

function isList(value: JsonRecord): boolean {
  return value.kind === 'List' || (typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items));
}

function listItems(list: JsonRecord, decoded: DecodedDocument, source: string): ManifestObject[] {
  const items = Array.isArray(list.items) ? (list.items as unknown[]) : [];
  return items.map((item, i) => {
    const prefix = ['items', i];
    if (!isRecord(item) || typeof item.kind !== 'string') {
      throw manifestError(`${source}:${decoded.lineOf(prefix)}: items[${i}] is not a Kubernetes object (it has no kind)`);
    }
    return {
      object: item,
      line: decoded.lineOf(prefix),
      lineOf: (path: FieldPath) => decoded.lineOf([...prefix, ...path]),
      source: { replacedKeys: replacedUnder(decoded.replaced, prefix) },
    };
  });
}

function objectsOf(document: StreamDocument, index: number, source: string): ManifestObject[] {
  const decoded = decode(document, source, false);
  const { value } = decoded;
  if (value === null || value === undefined) return [];
  const line = decoded.lineOf([]);
  if (!isRecord(value) || typeof value.kind !== 'string' || value.kind === '') {
    throw manifestError(`${source}:${line}: document ${index + 1} is not a Kubernetes object (it has no kind)`);
  }
  if (isList(value)) return listItems(value, decode(document, source, true), source);
  return [{ object: value, line, lineOf: lazyLines(document, source), source: { replacedKeys: decoded.replaced } }];
}

/** A file's documents, as kubectl splits it; a bad separator is a KG_BAD_MANIFEST error. */
export function manifestDocuments(text: string, source: string): StreamDocument[] {
  try {
    return splitStream(text);
  } catch (error: unknown) {
    if (error instanceof StreamError) throw manifestError(`${source}:${error.line}: ${error.message}`);
    throw error;
  }
}

/** The objects of one document (none, one, or a List's items); `index` is its place in the file. */
export function documentObjects(document: StreamDocument, index: number, source: string): ManifestObject[] {
  return objectsOf(document, index, source);
}

/** The objects of a file, in order. */
export function parseManifests(text: string, source: string): ManifestObject[] {
  return manifestDocuments(text, source).flatMap((document, index) => objectsOf(document, index, source));
}

/**
 * Whether a document can hold an object of the cluster view (a NetworkPolicy or a
 * Namespace): its kind is written in it literally, or through an escape
 * (`"Network\x50olicy"`), so a document with neither cannot.
 */
export function mayHoldViewObject(documentText: string): boolean {
  return documentText.includes('NetworkPolicy') || documentText.includes('Namespace') || documentText.includes('\\');
}
