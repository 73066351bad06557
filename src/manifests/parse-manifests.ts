/**
 * Multi-document YAML (and JSON) into Kubernetes objects with source positions, so that
 * every finding can name the file and line of the field it is about. `kind: List`
 * items become objects of their own. Pure: text in, objects or an error out.
 */
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import { isRecord, type FieldPath, type JsonRecord } from '../core/kubernetes/shape.js';
import { GuardrailsError } from '../errors.js';
import { YAML_OPTIONS, YAML_TO_JS, yamlErrorText } from './yaml-error-text.js';

export interface ManifestObject {
  readonly object: JsonRecord;
  /** 1-based line where the object starts. */
  readonly line: number;
  /** 1-based line of the field at `path`, or of the nearest enclosing field. */
  readonly lineOf: (path: FieldPath) => number;
}

function manifestError(message: string): GuardrailsError {
  return new GuardrailsError('KG_BAD_MANIFEST', message);
}

interface Step {
  /** The key of a map entry, or the item of a list: where a person reads the field. */
  readonly label: Node;
  readonly value: Node | undefined;
}

function step(node: Node | null | undefined, segment: string | number): Step | undefined {
  if (isMap(node)) {
    const pair = node.items.find((item) => (item.key as { value?: unknown } | null)?.value === segment);
    if (pair === undefined) return undefined;
    return { label: (pair.key ?? pair.value) as Node, value: (pair.value ?? undefined) as Node | undefined };
  }
  if (isSeq(node) && typeof segment === 'number') {
    const item = (node.items[segment] ?? undefined) as Node | undefined;
    return item === undefined ? undefined : { label: item, value: item };
  }
  return undefined;
}

function childNode(node: Node | null | undefined, segment: string | number): Node | undefined {
  return step(node, segment)?.value;
}

/**
 * The line of a field: its key for a map entry, its first line for a list item. A field
 * that is absent points at the key of its nearest present parent.
 */
function locator(root: Node, lines: LineCounter): (path: FieldPath) => number {
  const lineAt = (node: Node): number => lines.linePos(node.range?.[0] ?? 0).line;
  return (path) => {
    let node: Node | undefined = root;
    let label: Node = root;
    for (const segment of path) {
      const next = step(node, segment);
      if (next === undefined) break;
      label = next.label;
      node = next.value;
    }
    return lineAt(label);
  };
}

/** An empty document (a trailing `---`, as Helm and kustomize often write) holds nothing. */
function isEmptyDocument(root: Document.Parsed['contents']): root is null {
  return root === null || (isScalar(root) && (root.value === null || root.value === ''));
}

/** The document as plain data; aliases are expanded within limits (a "billion laughs" is refused). */
function documentValue(document: Document.Parsed, where: string): unknown {
  try {
    return document.toJS(YAML_TO_JS);
  } catch (error: unknown) {
    throw manifestError(`${where} cannot be read: ${(error as Error).message}`);
  }
}

function objectsOf(document: Document.Parsed, index: number, lines: LineCounter, source: string): ManifestObject[] {
  const root = document.contents;
  if (isEmptyDocument(root)) return [];
  const value = documentValue(document, `${source}:${lines.linePos(root.range[0]).line}: document ${index + 1}`);
  if (!isRecord(value) || typeof value.kind !== 'string' || value.kind === '') {
    throw manifestError(`${source}:${lines.linePos(root.range[0]).line}: document ${index + 1} is not a Kubernetes object (it has no kind)`);
  }
  if (value.kind === 'List' || (value.kind.endsWith('List') && Array.isArray(value.items))) return listItems(root, value, lines, source);
  const lineOf = locator(root, lines);
  return [{ object: value, line: lineOf([]), lineOf }];
}

function listItems(root: Node, list: JsonRecord, lines: LineCounter, source: string): ManifestObject[] {
  const items = Array.isArray(list.items) ? (list.items as unknown[]) : [];
  const itemsNode = childNode(root, 'items');
  return items.map((item, i) => {
    const node = childNode(itemsNode, i) ?? root;
    if (!isRecord(item) || typeof item.kind !== 'string') {
      throw manifestError(`${source}:${lines.linePos(node.range?.[0] ?? 0).line}: items[${i}] is not a Kubernetes object (it has no kind)`);
    }
    const lineOf = locator(node, lines);
    return { object: item, line: lineOf([]), lineOf };
  });
}

export function parseManifests(text: string, source: string): ManifestObject[] {
  const lines = new LineCounter();
  const documents = parseAllDocuments(text, { ...YAML_OPTIONS, lineCounter: lines });
  if (!Array.isArray(documents)) return [];
  const objects: ManifestObject[] = [];
  documents.forEach((document, index) => {
    const error = document.errors[0];
    if (error !== undefined) {
      const [line, col] = [error.linePos?.[0].line ?? 0, error.linePos?.[0].col ?? 0];
      throw manifestError(`${source}:${line}:${col}: invalid YAML: ${yamlErrorText(error.message)}`);
    }
    objects.push(...objectsOf(document, index, lines, source));
  });
  return objects;
}
