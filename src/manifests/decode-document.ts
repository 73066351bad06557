/**
 * One YAML document into the object kubectl would send, exactly as sigs.k8s.io/yaml
 * over go-yaml v2 builds it: YAML 1.1 scalars, `<<` merge keys applied in order (a later
 * key or merge replaces an earlier one, earlier maps of a merge list take precedence),
 * aliases expanded, a repeated key keeping its last value. What kubectl drops without a
 * word (the replaced values) is returned as data, with the lines involved. Pure.
 */
import type { FieldPath } from '../core/kubernetes/shape.js';
import type { ReplacedKey } from '../rules/types.js';
import { jsonError, keyText, MERGE_TAG, resolveScalar } from './yaml11-scalar.js';
import type { YamlMap, YamlNode, YamlScalar } from './yaml-nodes.js';


export interface DecodedDocument {
  readonly value: unknown;
  readonly replaced: readonly ReplacedKey[];
  /** The line of the field at `path` (its key, or a list item's first line), or of its nearest present parent. */
  readonly lineOf: (path: FieldPath) => number;
}

/** What kubectl refuses while converting the document to JSON; the message is go-yaml's or encoding/json's. */
export class DecodeError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

type Container = Record<string, unknown> | unknown[];

/** go-yaml's limit on alias expansion ("billion laughs"): the share of decoded nodes that came through aliases. */
function allowedAliasRatio(decoded: number): number {
  if (decoded <= 400_000) return 0.99;
  if (decoded >= 4_000_000) return 0.1;
  return 0.99 - 0.89 * ((decoded - 400_000) / 3_600_000);
}

function setKey(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function isMergeKey(node: YamlNode): boolean {
  return node.kind === 'scalar' && node.text === '<<' && ((node.plain && node.tag === '') || node.tag === MERGE_TAG);
}

interface Tracking {
  readonly lines: Map<string | number, number>;
  /** The Go type of each key as go-yaml read it (`true` and "true" are different keys there). */
  readonly types: Map<string, string>;
}

function replacedKey(path: FieldPath, droppedLine: number, keptLine: number, how: { readonly byMerge: boolean; readonly eitherKept: boolean }): ReplacedKey {
  const replaced = { path, droppedLine, keptLine, byMerge: how.byMerge };
  return how.eitherKept ? { ...replaced, eitherKept: true } : replaced;
}

interface MergeSource {
  readonly map: YamlMap;
  /** Reached through an alias: it counts against the aliasing limit. */
  readonly aliased: boolean;
}

/** The mappings a `<<` value names, in the order go-yaml applies them (a list backwards: earlier maps win). */
function mergeSources(node: YamlNode, line: number): MergeSource[] {
  const listed = node.kind === 'seq' ? [...node.items].reverse() : [node];
  const sources: MergeSource[] = [];
  for (const source of listed) {
    const map = source.kind === 'alias' ? source.target : source;
    if (map.kind !== 'map') throw new DecodeError(`yaml: line ${line}: map merge requires map or sequence of maps as the value`, line);
    sources.push({ map, aliased: source.kind === 'alias' });
  }
  return sources;
}

class Decoder {
  constructor(private readonly withLines: boolean) {}

  readonly replaced: ReplacedKey[] = [];
  readonly lines = new WeakMap<Container, Map<string | number, number>>();
  private readonly tracking = new WeakMap<Container, Tracking>();
  /** Values and keys read that have no JSON form; checked once the document is complete. */
  private unsupported = 0;
  private decoded = 0;
  private aliased = 0;
  private aliasDepth = 0;

  /** The path of the value being decoded; copied only when a replaced key is recorded. */
  private readonly path: (string | number)[] = [];

  value(node: YamlNode): unknown {
    this.count(node.line);
    switch (node.kind) {
      case 'alias':
        return this.throughAlias(() => this.value(node.target));
      case 'scalar':
        return this.scalar(node);
      case 'seq': {
        const items: unknown[] = [];
        node.items.forEach((item, index) => {
          this.path.push(index);
          items.push(this.value(item));
          this.path.pop();
        });
        if (this.withLines) this.lines.set(items, new Map(node.items.map((item, index) => [index, item.line])));
        return items;
      }
      case 'map':
        return this.mapping(node);
    }
  }

  private mapping(node: YamlMap): Record<string, unknown> {
    const mark = { replaced: this.replaced.length, unsupported: this.unsupported, decoded: this.decoded, aliased: this.aliased };
    const simple = this.simpleMapping(node);
    if (simple !== undefined) return simple;
    // A merge key or a key written twice: read the mapping again, tracking where each key came from.
    this.replaced.length = mark.replaced;
    [this.unsupported, this.decoded, this.aliased] = [mark.unsupported, mark.decoded, mark.aliased];
    const target: Record<string, unknown> = {};
    this.apply(node, target, true);
    const { lines } = this.trackingOf(target);
    this.tracking.delete(target);
    if (this.withLines) this.lines.set(target, lines);
    return target;
  }

  /** The common mapping: no merge key, every key once. Undefined as soon as it is not. */
  private simpleMapping(node: YamlMap): Record<string, unknown> | undefined {
    const target: Record<string, unknown> = {};
    const lines = this.withLines ? new Map<string | number, number>() : undefined;
    const { entries } = node;
    for (let i = 0; i + 1 < entries.length; i += 2) {
      const keyNode = entries[i] as YamlNode;
      if (isMergeKey(keyNode)) return undefined;
      const { key } = this.key(keyNode);
      if (Object.hasOwn(target, key)) return undefined;
      lines?.set(key, keyNode.line);
      this.path.push(key);
      setKey(target, key, this.value(entries[i + 1] as YamlNode));
      this.path.pop();
    }
    if (lines !== undefined) this.lines.set(target, lines);
    return target;
  }

  private count(line: number): void {
    this.decoded++;
    if (this.aliasDepth > 0) this.aliased++;
    if (this.aliased > 100 && this.decoded > 1000 && this.aliased / this.decoded > allowedAliasRatio(this.decoded)) {
      throw new DecodeError('yaml: document contains excessive aliasing', line);
    }
  }

  private throughAlias<T>(read: () => T): T {
    this.aliasDepth++;
    try {
      return read();
    } finally {
      this.aliasDepth--;
    }
  }

  private scalar(node: YamlScalar): unknown {
    const resolved = resolveScalar(node.text, node.plain, node.tag);
    if ('error' in resolved) throw new DecodeError(`yaml: line ${node.line}: ${resolved.error}`, node.line);
    // NaN and the infinities fail only if they survive into the JSON: a later key may still replace them.
    if (jsonError(resolved.value) !== undefined) this.unsupported++;
    return resolved.value;
  }

  private key(node: YamlNode): { readonly key: string; readonly goType: string } {
    const target = node.kind === 'alias' ? node.target : node;
    if (target.kind !== 'scalar') throw new DecodeError(`yaml: line ${node.line}: invalid map key`, node.line);
    const resolved = resolveScalar(target.text, target.plain, target.tag);
    if ('error' in resolved) throw new DecodeError(`yaml: line ${node.line}: ${resolved.error}`, node.line);
    const goType = resolved.integer !== undefined ? 'int' : typeof resolved.value;
    const key = keyText(resolved);
    if (!('error' in key)) return { key: key.key, goType };
    // Like NaN, a key with no JSON form fails only if it survives; it is kept under a name no YAML key can produce.
    this.unsupported++;
    const placeholder = `${UNSUPPORTED_KEY}${key.error}`;
    return { key: placeholder, goType };
  }

  /** Where each key of a mapping under construction came from: its line and its Go type. */
  private trackingOf(target: Record<string, unknown>): Tracking {
    let tracking = this.tracking.get(target);
    if (tracking === undefined) {
      tracking = { lines: new Map(), types: new Map() };
      this.tracking.set(target, tracking);
    }
    return tracking;
  }

  /** The pairs of a mapping set into `target`, in order; `own` is false while applying a merged mapping. */
  private apply(node: YamlMap, target: Record<string, unknown>, own: boolean): void {
    const { lines, types } = this.trackingOf(target);
    const written = new Map<string, number>();
    const { entries } = node;
    for (let i = 0; i + 1 < entries.length; i += 2) {
      const keyNode = entries[i] as YamlNode;
      const valueNode = entries[i + 1] as YamlNode;
      if (isMergeKey(keyNode)) {
        this.merge(valueNode, target, own ? written : undefined, keyNode.line);
        continue;
      }
      const { key, goType } = this.key(keyNode);
      const earlierType = types.get(key);
      // go-yaml keeps `true` and "true" apart; sigs.k8s.io/yaml then writes both as "true", keeping either one.
      const eitherKept = earlierType !== undefined && earlierType !== goType;
      const earlier = eitherKept ? lines.get(key) : own ? written.get(key) : undefined;
      if (earlier !== undefined) this.replaced.push(replacedKey([...this.path, key], earlier, keyNode.line, { byMerge: false, eitherKept }));
      if (own) written.set(key, keyNode.line);
      types.set(key, goType);
      lines.set(key, keyNode.line);
      this.path.push(key);
      setKey(target, key, this.value(valueNode));
      this.path.pop();
    }
  }

  private merge(node: YamlNode, target: Record<string, unknown>, written: Map<string, number> | undefined, line: number): void {
    const before = new Set(Object.keys(target));
    for (const { map, aliased } of mergeSources(node, line)) {
      if (aliased) this.throughAlias(() => { this.apply(map, target, false); });
      else this.apply(map, target, false);
    }
    if (written === undefined) return;
    const { lines } = this.trackingOf(target);
    for (const [key, droppedLine] of written) {
      const keptLine = lines.get(key) ?? line;
      if (before.has(key) && keptLine !== droppedLine) this.replaced.push(replacedKey([...this.path, key], droppedLine, keptLine, { byMerge: true, eitherKept: false }));
    }
  }

  /**
   * What kubectl refuses once the document is a Go value: keys with no JSON form first
   * (sigs.k8s.io/yaml's conversion), then values encoding/json cannot write.
   */
  check(value: unknown, line: number): void {
    if (this.unsupported === 0) return;
    const problems = { key: undefined as string | undefined, value: undefined as string | undefined };
    collectUnsupported(value, problems);
    if (problems.key !== undefined) throw new DecodeError(`error converting YAML to JSON: ${problems.key}`, line);
    if (problems.value !== undefined) throw new DecodeError(`error converting YAML to JSON: ${problems.value}`, line);
  }
}

const UNSUPPORTED_KEY = '\u0000unsupported key: ';

function collectUnsupported(value: unknown, problems: { key: string | undefined; value: string | undefined }): void {
  if (typeof value === 'number') {
    problems.value ??= jsonError(value);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [key, item] of Object.entries(value)) {
    if (key.startsWith(UNSUPPORTED_KEY)) problems.key ??= key.slice(UNSUPPORTED_KEY.length);
    collectUnsupported(item, problems);
  }
}

function locator(root: unknown, rootLine: number, lines: WeakMap<Container, Map<string | number, number>>): (path: FieldPath) => number {
  return (path) => {
    let current: unknown = root;
    let line = rootLine;
    for (const segment of path) {
      if (typeof current !== 'object' || current === null) break;
      const at = lines.get(current as Container)?.get(segment);
      if (at === undefined) break;
      line = at;
      current = (current as Record<string | number, unknown>)[segment];
    }
    return line;
  };
}

/** The document as kubectl sends it. Throws DecodeError for what kubectl refuses. */
export function decodeDocument(root: YamlNode, withLines = true): DecodedDocument {
  const decoder = new Decoder(withLines);
  const value = decoder.value(root);
  decoder.check(value, root.line);
  return { value, replaced: decoder.replaced, lineOf: locator(value, root.line, decoder.lines) };
}
