/**
 * SARIF 2.1.0 as GitHub code scanning accepts it: rules with help text in
 * tool.driver.rules, results with a physical location (uri and startLine) and the
 * finding's data in properties.
 */
import { isAbsolute, relative, sep } from 'node:path';
import type { Violation } from '../engine/evaluate.js';
import type { Rule } from '../rules/types.js';
import { firstSentence, ruleTags } from './rule-text.js';
import { objectLabel, type CheckReport, type ObjectResult, type ReportedViolation, type ReportedWaiver } from './report.js';

const LEVELS: Readonly<Record<Violation['action'], 'error' | 'warning' | 'note'>> = { deny: 'error', warn: 'warning', audit: 'note' };

function artifactUri(file: string, cwd: string): string {
  const path = isAbsolute(file) ? relative(cwd, file) : file;
  return path.split(sep).join('/');
}

function driverRules(rules: readonly Rule[]): object[] {
  return rules.map((rule) => ({
    id: rule.id,
    name: rule.id,
    shortDescription: { text: firstSentence(rule.description) },
    fullDescription: { text: rule.description },
    help: {
      text: `${rule.description}\n\nHow to fix: ${rule.remediation}`,
      markdown: `${rule.description}\n\n**How to fix:** ${rule.remediation}\n\nSee docs/rules.md#${rule.id}.`,
    },
    defaultConfiguration: { level: LEVELS[rule.defaultAction] },
    properties: { tags: ruleTags(rule) },
  }));
}

function findingProperties(finding: ReportedViolation | ReportedWaiver): Record<string, unknown> {
  return {
    summary: finding.summary,
    fix: finding.fix,
    ...(finding.value === undefined ? {} : { value: finding.value }),
    ...(finding.equivalent === undefined ? {} : { equivalent: finding.equivalent }),
    ...(finding.details === undefined ? {} : { details: finding.details }),
  };
}

function sarifResult(result: ObjectResult, finding: ReportedViolation | ReportedWaiver, ruleIndex: number, cwd: string): Record<string, unknown> {
  return {
    ruleId: finding.rule,
    ruleIndex,
    message: { text: `[${finding.rule}] ${objectLabel(result)}: ${finding.path}: ${finding.message}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: artifactUri(result.file, cwd) },
          region: { startLine: Math.max(1, finding.line) },
        },
        logicalLocations: [{ name: finding.path, fullyQualifiedName: `${objectLabel(result)}/${finding.path}`, kind: 'member' }],
      },
    ],
    partialFingerprints: { 'kubeGuardrails/v1': `${result.kind}/${result.namespace}/${result.name}/${finding.rule}/${finding.path}` },
    properties: findingProperties(finding),
  };
}

function resultsOf(result: ObjectResult, indexOf: (rule: string) => number, cwd: string): Record<string, unknown>[] {
  const active = result.violations.map((violation) => ({ ...sarifResult(result, violation, indexOf(violation.rule), cwd), level: LEVELS[violation.action] }));
  // Waived findings stay visible, as SARIF suppressions carrying the exemption's reason.
  const waived = result.waived.map((waiver) => ({
    ...sarifResult(result, waiver, indexOf(waiver.rule), cwd),
    level: 'note',
    suppressions: [{ kind: 'external', status: 'accepted', justification: `exemption "${waiver.exemption}": ${waiver.reason}` }],
  }));
  return [...active, ...waived];
}

export interface SarifTool {
  readonly rules: readonly Rule[];
  readonly version: string;
  readonly cwd: string;
}

export function formatSarif(report: CheckReport, tool: SarifTool): string {
  const indexOf = (id: string): number => tool.rules.findIndex((rule) => rule.id === id);
  const results = report.results.flatMap((result) => resultsOf(result, indexOf, tool.cwd));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'kube-guardrails', version: tool.version, semanticVersion: tool.version, rules: driverRules(tool.rules) } },
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
