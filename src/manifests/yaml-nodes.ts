/**
 * A YAML document as a tree of nodes before any resolution: what both readers (the fast
 * js-yaml one and the exact `yaml` one) produce and what the decoder turns into an
 * object the way kubectl does. Lines are 1-based, within the document's own text.
 */

export type YamlNode = YamlMap | YamlSeq | YamlScalar | YamlAlias;

interface Located {
  readonly line: number;
}

export interface YamlMap extends Located {
  readonly kind: 'map';
  /** Keys and values alternating, in the order written: key, value, key, value. */
  readonly entries: readonly YamlNode[];
}

export interface YamlSeq extends Located {
  readonly kind: 'seq';
  readonly items: readonly YamlNode[];
}

export interface YamlScalar extends Located {
  readonly kind: 'scalar';
  /** The scalar's content after YAML's own folding and escapes. */
  readonly text: string;
  /** Unquoted and not a block scalar: only these are resolved implicitly (`yes` is true, `"yes"` a string). */
  readonly plain: boolean;
  /** The explicit tag in long form (`tag:yaml.org,2002:int`, `!foo`), or '' when none was written. */
  readonly tag: string;
}

export interface YamlAlias extends Located {
  readonly kind: 'alias';
  readonly target: YamlNode;
}

/** A node that stands for an empty value (`key:` with nothing after it). */
export function emptyScalar(line: number): YamlScalar {
  return { kind: 'scalar', text: '', plain: true, tag: '', line };
}
