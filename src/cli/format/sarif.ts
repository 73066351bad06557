/**
 * SARIF 2.1.0 as GitHub code scanning accepts it: rules with help text in
 * tool.driver.rules, results with a physical location (uri and startLine).
 */
import { isAbsolute, relative, sep } from 'node:path';
import { RULES } from '../../rules/index.js';
import type { Violation } from '../../engine/evaluate.js';
import { objectLabel, type CheckReport, type ObjectResult } from '../report.js';

const LEVELS: Readonly<Record<Violation['action'], 'error' | 'warning' | 'note'>> = { deny: 'error', warn: 'warning', audit: 'note' };

function artifactUri(file: string, cwd: string): string {
  const path = isAbsolute(file) ? relative(cwd, file) : file;
  return path.split(sep).join('/');
}

function driverRules(): object[] {
  return RULES.map((rule) => ({
    id: rule.id,
    name: rule.id,
    shortDescription: { text: rule.description.split(/(?<=\.)\s/)[0] ?? rule.description },
    fullDescription: { text: rule.description },
    help: {
      text: `${rule.description}\n\nHow to fix: ${rule.remediation}`,
      markdown: `${rule.description}\n\n**How to fix:** ${rule.remediation}\n\nSee docs/rules.md#${rule.id}.`,
    },
    defaultConfiguration: { level: LEVELS[rule.defaultAction] },
    properties: { tags: ['kubernetes', 'security', rule.id.startsWith('netpol-') ? 'network-policy' : 'pod'] },
  }));
}

interface SarifFinding {
  readonly rule: string;
  readonly path: string;
  readonly line: number;
  readonly message: string;
}

function sarifResult(result: ObjectResult, finding: SarifFinding, cwd: string): Record<string, unknown> {
  return {
    ruleId: finding.rule,
    ruleIndex: RULES.findIndex((rule) => rule.id === finding.rule),
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
  };
}

function resultsOf(result: ObjectResult, cwd: string): Record<string, unknown>[] {
  const active = result.violations.map((violation) => ({ ...sarifResult(result, violation, cwd), level: LEVELS[violation.action] }));
  // Waived findings stay visible, as SARIF suppressions carrying the exemption's reason.
  const waived = result.waived.map((waiver) => ({
    ...sarifResult(result, waiver, cwd),
    level: 'note',
    suppressions: [{ kind: 'external', status: 'accepted', justification: `exemption "${waiver.exemption}": ${waiver.reason}` }],
  }));
  return [...active, ...waived];
}

export function formatSarif(report: CheckReport, version: string, cwd: string): string {
  const results = report.results.flatMap((result) => resultsOf(result, cwd));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'kube-guardrails', version, semanticVersion: version, rules: driverRules() } },
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
