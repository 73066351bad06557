/**
 * The fast reader: js-yaml's parser (about ten times the speed of the `yaml` package
 * here), with every scalar left as text and its parse events turned into YamlNodes.
 * The events' shape is js-yaml's own; the tree built from them is checked against
 * js-yaml's result, and a document where the two disagree (a rare construct: explicit
 * `?` keys, a pair inside a flow sequence, an empty `-` item) is left to the exact reader.
 */
import jsyaml from 'js-yaml';
import { emptyScalar, type YamlNode } from './yaml-nodes.js';

/** The plain (unquoted) scalars: accepted as text, marked by this tag. */
const PLAIN_TAG = 'tag:kube-guardrails,plain';

const text = (data: unknown): unknown => data;
const anyTag = (prefix: string, kind: 'scalar' | 'sequence' | 'mapping'): jsyaml.Type =>
  new jsyaml.Type(prefix, { kind, multi: true, resolve: () => true, construct: text });

/** Nothing resolved here: the decoder resolves scalars as go-yaml does. Every tag is accepted and kept. */
const SCHEMA = jsyaml.FAILSAFE_SCHEMA.extend({
  implicit: [new jsyaml.Type(PLAIN_TAG, { kind: 'scalar', resolve: () => true, construct: text })],
  explicit: (['scalar', 'sequence', 'mapping'] as const).flatMap((kind) => [anyTag('!', kind), anyTag('tag:', kind)]),
});

/** js-yaml's parser state as its listener sees it (the fields this reader uses). */
interface ParserState {
  readonly input: string;
  readonly position: number;
  readonly line: number;
  readonly kind: 'scalar' | 'sequence' | 'mapping' | null;
  readonly result: unknown;
  readonly tag: string | null;
  readonly anchor: string | null;
}

interface Frame {
  readonly line: number;
  readonly children: YamlNode[];
}

class Unsure extends Error {}

function aliasName(state: ParserState): string {
  const star = state.input.lastIndexOf('*', state.position - 1);
  return state.input.slice(star + 1, state.position);
}

function ownKeyCount(result: object): number {
  let count = 0;
  for (const key in result) if (Object.hasOwn(result, key)) count++;
  return count;
}

/** Whether the alternating keys and values agree with the mapping js-yaml built (a missing value shifts them). */
function entriesAgree(entries: readonly YamlNode[], result: unknown): boolean {
  if (entries.length % 2 !== 0 || typeof result !== 'object' || result === null) return false;
  const keys: string[] = [];
  for (let i = 0; i < entries.length; i += 2) {
    const key = entries[i];
    if (key?.kind !== 'scalar') return false;
    keys.push(key.text);
  }
  const written = ownKeyCount(result);
  if (written === keys.length) return true;
  // Fewer keys than pairs: a key written twice, or pairs out of step. Only the key sets can tell.
  const distinct = new Set(keys);
  return distinct.size === written && Object.keys(result).every((key) => distinct.has(key));
}

function scalarOf(frame: Frame, state: ParserState): YamlNode {
  const [only] = frame.children;
  // A plain scalar read while looking for a block mapping's first key comes back wrapped.
  if (frame.children.length === 1 && only?.kind === 'scalar' && only.text === state.result) return only;
  if (frame.children.length > 0 || typeof state.result !== 'string') throw new Unsure();
  const tag = state.tag ?? '';
  return { kind: 'scalar', line: frame.line, text: state.result, plain: tag === PLAIN_TAG, tag: tag === PLAIN_TAG ? '' : tag };
}

/** A node with no kind of its own: an empty value, or an alias (js-yaml hands over the anchored value). */
function emptyOrAlias(frame: Frame, state: ParserState, anchors: ReadonlyMap<string, YamlNode>): YamlNode {
  if (state.result === null || state.result === undefined) return emptyScalar(frame.line);
  const target = anchors.get(aliasName(state));
  if (target === undefined || frame.children.length > 0) throw new Unsure();
  return { kind: 'alias', line: frame.line, target };
}

function nodeOf(frame: Frame, state: ParserState, anchors: ReadonlyMap<string, YamlNode>): YamlNode {
  const { line, children } = frame;
  switch (state.kind) {
    case 'mapping':
      if (!entriesAgree(children, state.result)) throw new Unsure();
      return { kind: 'map', line, entries: children };
    case 'sequence':
      if (!Array.isArray(state.result) || state.result.length !== children.length) throw new Unsure();
      return { kind: 'seq', line, items: children };
    case 'scalar':
      return scalarOf(frame, state);
    default:
      return emptyOrAlias(frame, state, anchors);
  }
}

/**
 * The document's node tree, or undefined when this reader cannot be sure of it. Throws
 * js-yaml's error on invalid YAML. `firstLine` is the document's line in its file.
 */
export function readFast(documentText: string, firstLine: number): YamlNode | undefined {
  const root: Frame = { line: firstLine, children: [] };
  const stack: Frame[] = [root];
  const anchors = new Map<string, YamlNode>();
  const listener = (event: 'open' | 'close', state: ParserState): void => {
    if (event === 'open') {
      stack.push({ line: firstLine + state.line, children: [] });
      return;
    }
    const frame = stack.pop();
    const parent = stack.at(-1);
    if (frame === undefined || parent === undefined) throw new Unsure();
    const node = nodeOf(frame, state, anchors);
    if (state.anchor !== null) anchors.set(state.anchor, node);
    parent.children.push(node);
  };
  try {
    jsyaml.load(documentText, { schema: SCHEMA, json: true, listener: listener as unknown as jsyaml.LoadOptions['listener'] });
  } catch (error: unknown) {
    if (error instanceof Unsure) return undefined;
    throw error;
  }
  if (root.children.length === 0) return emptyScalar(firstLine);
  return root.children.length === 1 ? root.children[0] : undefined;
}
