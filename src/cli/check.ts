/**
 * `kube-guardrails check`: the shell around the batch evaluation for manifests. Exit
 * status 0 when nothing is denied, 1 when anything is, 2 for usage or input errors.
 */
import { manifestView } from '../cluster/manifest-view.js';
import type { CheckConfig } from '../config.js';
import { evaluateBatch, type LoadedFile } from '../engine/batch.js';
import { EXIT } from '../errors.js';
import { readPolicyFile } from '../io/policy-file.js';
import { parseManifests } from '../manifests/parse-manifests.js';
import { defaultPolicy, type Policy } from '../policy/policy.js';
import { formatJson } from '../report/json.js';
import { formatJunit } from '../report/junit.js';
import { buildReport, type CheckReport } from '../report/report.js';
import { formatSarif } from '../report/sarif.js';
import { formatText } from '../report/text.js';
import type { Rule } from '../rules/types.js';
import { collectSources } from './collect-files.js';

export interface CheckIo {
  readonly rules: readonly Rule[];
  readonly readStdin: () => Promise<string>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stdoutIsTty: boolean;
  readonly cwd: string;
  readonly now: () => number;
  readonly version: string;
}

async function loadPolicy(config: CheckConfig, rules: readonly Rule[]): Promise<Policy> {
  return config.policyPath === undefined ? defaultPolicy(rules) : readPolicyFile(config.policyPath, rules);
}

async function loadFiles(config: CheckConfig, io: CheckIo): Promise<LoadedFile[]> {
  const sources = await collectSources(config.paths, io.readStdin);
  const files: LoadedFile[] = [];
  for (const source of sources) files.push({ name: source.name, objects: parseManifests(await source.read(), source.name) });
  return files;
}

function render(report: CheckReport, config: CheckConfig, io: CheckIo): string {
  switch (config.output) {
    case 'json':
      return formatJson(report);
    case 'sarif':
      return formatSarif(report, { rules: io.rules, version: io.version, cwd: io.cwd });
    case 'junit':
      return formatJunit(report);
    case 'text':
      return formatText(report, config.color ?? io.stdoutIsTty);
  }
}

export async function runCheck(config: CheckConfig, io: CheckIo): Promise<number> {
  const policy = await loadPolicy(config, io.rules);
  for (const warning of policy.warnings) io.stderr(`kube-guardrails: warning: policy ${config.policyPath ?? ''}: ${warning}\n`);
  const files = await loadFiles(config, io);
  const batch = evaluateBatch(files, { rules: io.rules, policy, namespace: config.namespace, now: io.now(), viewOf: manifestView });
  const report = buildReport(batch);
  for (const result of report.results) {
    for (const failure of result.failures) {
      io.stderr(`kube-guardrails: KG_RULE_FAILED: rule ${failure.rule} failed on ${result.file}:${result.line}: ${failure.message}\n`);
    }
  }
  io.stdout(render(report, config, io));
  return report.summary.allowed ? EXIT.clean : EXIT.denied;
}
