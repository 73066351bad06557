import { z } from 'zod';
import { defineRule, type Finding, type ReplacedKey } from '../types.js';

/** The key's own name (the last segment of its path), shortened so that the summary keeps its 100 characters. */
function keyName(replaced: ReplacedKey): string {
  const key = String(replaced.path.at(-1) ?? '');
  return key.length <= 30 ? key : `${key.slice(0, 29)}…`;
}

function findingOf(replaced: ReplacedKey): Finding {
  const key = keyName(replaced);
  const value = String(replaced.path.at(-1) ?? '');
  const details = { droppedLine: replaced.droppedLine, keptLine: replaced.keptLine };
  if (replaced.eitherKept === true) {
    return {
      path: replaced.path,
      summary: `${key} is written as two YAML keys (lines ${replaced.droppedLine}, ${replaced.keptLine}): kubectl keeps either one`,
      fix: 'Write the key once, quoted if it could read as a boolean or a number.',
      value,
      details,
    };
  }
  if (replaced.byMerge) {
    return {
      path: replaced.path,
      summary: `${key} on line ${replaced.droppedLine} is replaced by a << merge with line ${replaced.keptLine}: kubectl drops it`,
      fix: 'Write the key after the << merge key, where it overrides the merged value.',
      value,
      details,
    };
  }
  return {
    path: replaced.path,
    summary: `${key} is written twice, on lines ${replaced.droppedLine} and ${replaced.keptLine}: kubectl keeps the last`,
    fix: 'Remove one of the two and keep the value you mean.',
    value: key,
    details,
  };
}

export const duplicateKeys = defineRule({
  id: 'duplicate-keys',
  description:
    'A manifest writes a key twice in one mapping, or a `<<` merge key replaces a key written before it. kubectl reads YAML through sigs.k8s.io/yaml, which keeps one value and drops the other without a word, before the API server’s field validation can see it; keys that differ in YAML but not in JSON (`on` and "true") are kept in no defined order. Only `check` reads manifests, so this rule never runs at admission.',
  remediation: 'Write each key once in each mapping, after any `<<` merge key it is meant to override.',
  defaultAction: 'warn',
  appliesTo: ['NetworkPolicy', 'PodTemplate', 'Namespace'],
  manifestOnly: true,
  params: z.object({}).strict(),
  check: (_subject, context) => (context.source?.replacedKeys ?? []).map(findingOf),
});
