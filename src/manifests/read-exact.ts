/**
 * The exact reader: the `yaml` package's parser, with its positions, for the documents
 * the fast reader is unsure of and for the wording of syntax errors. Scalars are kept as
 * text (failsafe schema) and resolved later, as go-yaml resolves them.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, Scalar, type Alias, type Document, type Node } from 'yaml';
import { DecodeError } from './decode-document.js';
import { GuardrailsError } from '../errors.js';
import { emptyScalar, type YamlNode } from './yaml-nodes.js';
import { yamlErrorText } from './yaml-error-text.js';

function tagOf(node: Node): string {
  const tag = node.tag ?? '';
  return tag === '!' || tag === '' ? tag : tag.startsWith('!!') ? `tag:yaml.org,2002:${tag.slice(2)}` : tag;
}

class Converter {
  private readonly seen = new Map<Node, YamlNode>();
  /** Nodes being converted: an alias to one of them is an anchor that contains itself. */
  private readonly open = new Set<Node>();

  constructor(
    private readonly document: Document.Parsed,
    private readonly lines: LineCounter,
    private readonly firstLine: number,
  ) {}

  private lineOf(node: Node | null | undefined): number {
    return this.firstLine - 1 + this.lines.linePos(node?.range?.[0] ?? 0).line;
  }

  convert(node: unknown, line: number): YamlNode {
    if (node === null || node === undefined) return emptyScalar(line);
    const known = this.seen.get(node as Node);
    if (known !== undefined) return known;
    this.open.add(node as Node);
    const converted = this.fresh(node as Node);
    this.open.delete(node as Node);
    this.seen.set(node as Node, converted);
    return converted;
  }

  private alias(node: Alias, line: number): YamlNode {
    // go-yaml's words: an alias must follow its anchor, and may not sit inside it.
    const target = node.resolve(this.document);
    if (target === undefined) throw new DecodeError(`yaml: unknown anchor '${node.source}' referenced`, line);
    if (this.open.has(target)) throw new DecodeError(`yaml: anchor '${node.source}' value contains itself`, line);
    return { kind: 'alias', line, target: this.convert(target, line) };
  }

  private fresh(node: Node): YamlNode {
    const line = this.lineOf(node);
    if (isAlias(node)) return this.alias(node, line);
    if (isMap(node)) {
      const entries = node.items.filter(isPair).flatMap((pair) => {
        const keyLine = this.lineOf((pair.key ?? pair.value) as Node);
        return [this.convert(pair.key, keyLine), this.convert(pair.value, keyLine)];
      });
      return { kind: 'map', line, entries };
    }
    if (isSeq(node)) return { kind: 'seq', line, items: node.items.map((item) => this.convert(item, line)) };
    if (isScalar(node)) {
      const plain = node.type === Scalar.PLAIN;
      return { kind: 'scalar', line, text: typeof node.value === 'string' ? node.value : '', plain, tag: tagOf(node) };
    }
    return emptyScalar(line);
  }
}

/** The document's node tree; invalid YAML is a KG_BAD_MANIFEST error naming the file, line and column. */
export function readExact(documentText: string, firstLine: number, source: string): YamlNode {
  const lines = new LineCounter();
  const document = parseDocument(documentText, {
    lineCounter: lines,
    schema: 'failsafe',
    version: '1.1',
    merge: false,
    uniqueKeys: false,
    keepSourceTokens: false,
  });
  const error = document.errors[0];
  if (error !== undefined) {
    const [line, col] = [error.linePos?.[0].line ?? 1, error.linePos?.[0].col ?? 0];
    throw new GuardrailsError('KG_BAD_MANIFEST', `${source}:${firstLine - 1 + line}:${col}: invalid YAML: ${yamlErrorText(error.message)}`);
  }
  return new Converter(document, lines, firstLine).convert(document.contents, firstLine);
}
