/**
 * The quickest reading of a document, for the common manifest: js-yaml builds the value
 * itself, each plain scalar resolved as go-yaml resolves it, with no node tree and no
 * positions. It applies only where js-yaml's construction cannot differ from kubectl's,
 * and says so by returning undefined otherwise, leaving the document to the node-tree
 * decoder:
 * - merge keys (js-yaml's precedence differs), aliases (js-yaml shares, go-yaml copies and
 *   limits) and explicit tags (js-yaml resolves them its own way) are not taken: a
 *   document whose text could hold one (`<<`, `*name`, `!`) goes the long way;
 * - a key written twice throws in js-yaml (and is `duplicate-keys`' business);
 * - keys whose JSON form js-yaml would write differently (a null, a float, an integer
 *   beyond 2^53 becomes a string in JavaScript's spelling, not Go's) and values with no
 *   JSON form (NaN, the infinities) are detected as they are resolved.
 */
import jsyaml from 'js-yaml';
import { resolveScalar, type Scalar } from './yaml11-scalar.js';

/** Set by a resolution in this document that js-yaml may write differently from kubectl. */
const doubt = { raised: false };

function resolvePlain(text: string): Scalar {
  const resolved = resolveScalar(text, true, '');
  if ('error' in resolved) {
    doubt.raised = true;
    return text;
  }
  const { value } = resolved;
  // Only a key could make these differ; they are rare enough to leave every such document to the exact path.
  if (value === null || (typeof value === 'number' && (resolved.integer === undefined || !Number.isSafeInteger(value)))) doubt.raised = true;
  return value;
}

const SCHEMA = jsyaml.FAILSAFE_SCHEMA.extend({
  implicit: [new jsyaml.Type('tag:kube-guardrails,go-yaml-plain', { kind: 'scalar', resolve: () => true, construct: resolvePlain })],
});

/**
 * An alias (`*name` after a space, a flow indicator, `-`, `:` or at a line start), a tag
 * or a merge key may be written. A `*` before a quote or a space is text (a cron schedule).
 */
const NEEDS_NODES = /<<|(?:^|[\s,[{:-])[*!][^\s"',\]}]/;

/** The document as kubectl sends it, or undefined when only the node-tree decoder can say. */
export function readDirect(documentText: string): { readonly value: unknown } | undefined {
  if (NEEDS_NODES.test(documentText)) return undefined;
  doubt.raised = false;
  let value: unknown;
  try {
    value = jsyaml.load(documentText, { schema: SCHEMA });
  } catch {
    return undefined;
  }
  return doubted() ? undefined : { value: value ?? null };
}

/** Read through a call: the flag is set by the resolver while js-yaml runs. */
function doubted(): boolean {
  return doubt.raised;
}
