/**
 * SARIF 2.1.0 as GitHub code scanning accepts it: rules with help text in
 * tool.driver.rules, results with a physical location (uri and startLine).
 */
import { isAbsolute, relative, sep } from 'node:path';
import { RULES } from '../../rules/index.js';
import type { Violation } from '../../engine/evaluate.js';
import type { CheckReport } from '../report.js';
import { objectLabel } from '../report.js';

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

export function formatSarif(report: CheckReport, version: string, cwd: string): string {
  const ruleIndex = new Map(RULES.map((rule, index) => [rule.id, index]));
  const results = report.results.flatMap((result) =>
    result.violations.map((violation) => ({
      ruleId: violation.rule,
      ruleIndex: ruleIndex.get(violation.rule) ?? -1,
      level: LEVELS[violation.action],
      message: { text: `[${violation.rule}] ${objectLabel(result)}: ${violation.path}: ${violation.message}` },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: artifactUri(result.file, cwd) },
            region: { startLine: Math.max(1, violation.line) },
          },
          logicalLocations: [{ name: violation.path, fullyQualifiedName: `${objectLabel(result)}/${violation.path}`, kind: 'member' }],
        },
      ],
      partialFingerprints: { 'kubeGuardrails/v1': `${result.kind}/${result.namespace}/${result.name}/${violation.rule}/${violation.path}` },
    })),
  );
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
