/**
 * A finding in words, the same everywhere: `summary. fix` is the message, and
 * `[rule] path: message` is the line a denial, a text report and the docs show.
 */
import { renderPath } from '../core/kubernetes/shape.js';
import type { Finding } from '../rules/types.js';

export function findingMessage(finding: Finding): string {
  return `${finding.summary}. ${finding.fix}`;
}

export function findingLine(rule: string, finding: Finding): string {
  return `[${rule}] ${renderPath(finding.path)}: ${findingMessage(finding)}`;
}
