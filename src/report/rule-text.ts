/** Rule metadata phrased for reports and docs, the same in SARIF and docs/rules.md. */
import type { Rule } from '../rules/types.js';

export function firstSentence(text: string): string {
  return text.split(/(?<=\.)\s/)[0] ?? text;
}

/** SARIF tags: the area a rule belongs to, which its id names (`netpol-…` rules are about NetworkPolicies). */
export function ruleTags(rule: Rule): string[] {
  return ['kubernetes', 'security', rule.id.startsWith('netpol-') ? 'network-policy' : 'pod'];
}
