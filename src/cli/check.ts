/**
 * `kube-guardrails check`: the shell around the batch evaluation for manifests. Exit
 * status 0 when nothing is denied, 1 when anything is, 2 for usage or input errors.
 */
import { availableParallelism } from 'node:os';
import { manifestView } from '../cluster/manifest-view.js';
import type { CheckConfig } from '../config.js';
import { evaluateBatch, type LoadedFile } from '../engine/batch.js';
import { EXIT } from '../errors.js';
import { readPolicyText } from '../io/policy-file.js';
import { parseManifests } from '../manifests/parse-manifests.js';
import { defaultPolicy, type Policy } from '../policy/policy.js';
import { formatJson } from '../report/json.js';
import { formatJunit } from '../report/junit.js';
import { buildReport, reportOf, type CheckReport } from '../report/report.js';
import { formatSarif } from '../report/sarif.js';
import { formatText } from '../report/text.js';
import type { Rule } from '../rules/types.js';
import { judgeInParallel, type InputFile } from './check-parallel.js';
import { collectSources, type ManifestSource } from './collect-files.js';

/** Below this much input, starting worker threads costs more than it saves. */
const PARALLEL_MIN_BYTES = 4 * 1024 * 1024;

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

interface LoadedPolicy {
  readonly policy: Policy;
  readonly text?: string;
}

async function loadPolicy(config: CheckConfig, rules: readonly Rule[]): Promise<LoadedPolicy> {
  return config.policyPath === undefined ? { policy: defaultPolicy(rules) } : readPolicyText(config.policyPath, rules);
}

/** Every source read and parsed in order, the first failure failing the run. */
async function loadFiles(sources: readonly ManifestSource[]): Promise<LoadedFile[]> {
  const files: LoadedFile[] = [];
  for (const source of sources) files.push({ name: source.name, objects: parseManifests(await source.read(), source.name) });
  return files;
}

/** Every source's text, or undefined when one cannot be read (the in-order path then reports it where it stands). */
async function readAll(sources: readonly ManifestSource[]): Promise<InputFile[] | undefined> {
  const files: InputFile[] = [];
  for (const source of sources) {
    try {
      files.push({ name: source.name, text: await source.read() });
    } catch {
      return undefined;
    }
  }
  return files;
}

function workerCount(config: CheckConfig, files: readonly InputFile[]): number {
  const bytes = files.reduce((total, file) => total + file.text.length, 0);
  if (files.length < 2 || (config.jobs === undefined && bytes < PARALLEL_MIN_BYTES)) return 1;
  return Math.min(config.jobs ?? availableParallelism(), files.length);
}

async function judge(config: CheckConfig, io: CheckIo, policy: LoadedPolicy): Promise<CheckReport> {
  const sources = await collectSources(config.paths, io.readStdin);
  const texts = sources.length > 1 ? await readAll(sources) : undefined;
  const workers = texts === undefined ? 1 : workerCount(config, texts);
  if (texts !== undefined && workers > 1) {
    const options = { workers, namespace: config.namespace, now: io.now(), ...(policy.text === undefined ? {} : { policyText: policy.text }) };
    return reportOf(await judgeInParallel(texts, options), texts.length);
  }
  const files = texts === undefined ? await loadFiles(sources) : texts.map((file) => ({ name: file.name, objects: parseManifests(file.text, file.name) }));
  return buildReport(evaluateBatch(files, { rules: io.rules, policy: policy.policy, namespace: config.namespace, now: io.now(), viewOf: manifestView }));
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
  for (const warning of policy.policy.warnings) io.stderr(`kube-guardrails: warning: policy ${config.policyPath ?? ''}: ${warning}\n`);
  const report = await judge(config, io, policy);
  for (const result of report.results) {
    for (const failure of result.failures) {
      io.stderr(`kube-guardrails: KG_RULE_FAILED: rule ${failure.rule} failed on ${result.file}:${result.line}: ${failure.message}\n`);
    }
  }
  io.stdout(render(report, config, io));
  return report.summary.allowed ? EXIT.clean : EXIT.denied;
}
