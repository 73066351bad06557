/**
 * `kube-guardrails check`: the shell around the batch evaluation for manifests. Exit
 * status 0 when nothing is denied, 1 when anything is, 2 for usage or input errors.
 */
import type { CheckConfig } from '../config.js';
import { EXIT } from '../errors.js';
import { readPolicyFileText } from '../io/policy-file.js';
import { defaultPolicy, type Policy } from '../policy/policy.js';
import { formatJson } from '../report/json.js';
import { formatJunit } from '../report/junit.js';
import { reportOf, type CheckReport } from '../report/report.js';
import { formatSarif } from '../report/sarif.js';
import { formatText, type SourcesNote } from '../report/text.js';
import type { Rule } from '../rules/types.js';
import { collectSources } from './collect-files.js';
import { checkOffThread } from './check-thread.js';
import { judgeManifests, type ManifestText } from './judge-manifests.js';

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
  /** The file's text, for a worker thread (which compiles the policy itself); absent for the built-in policy. */
  readonly text?: string;
}

async function loadPolicy(config: CheckConfig, rules: readonly Rule[]): Promise<LoadedPolicy> {
  return config.policyPath === undefined ? { policy: defaultPolicy(rules) } : readPolicyFileText(config.policyPath, rules);
}

/**
 * Every source read in order. A source that cannot be read fails the run where it stands:
 * the files before it are still judged first, so that an earlier file's error comes first.
 */
async function readSources(config: CheckConfig, io: CheckIo): Promise<{ readonly texts: ManifestText[]; readonly failure?: Error }> {
  const texts: ManifestText[] = [];
  for (const source of await collectSources(config.paths, io.readStdin)) {
    try {
      texts.push({ name: source.name, text: await source.read() });
    } catch (error: unknown) {
      return { texts, failure: error instanceof Error ? error : new Error(String(error)) };
    }
  }
  return { texts };
}

/** The report in the format asked for: the same renderers for `check` and `audit`. */
export function renderReport(report: CheckReport, settings: RenderSettings, rules: readonly Rule[]): string {
  switch (settings.output) {
    case 'json':
      return formatJson(report);
    case 'sarif':
      return formatSarif(report, { rules, version: settings.version, cwd: settings.cwd });
    case 'junit':
      return formatJunit(report);
    case 'text':
      return formatText(report, settings.color, settings.sources);
  }
}

/** What the user is shown for a batch: the rendered report, rule failures for stderr, and whether all was allowed. */
export interface CheckOutcome {
  readonly stdout: string;
  readonly stderr: readonly string[];
  readonly allowed: boolean;
}

/** How a report is rendered: the parts of the config and the environment the output depends on. */
export interface RenderSettings {
  readonly output: CheckConfig['output'];
  readonly color: boolean;
  readonly namespace: string;
  readonly now: number;
  readonly cwd: string;
  readonly version: string;
  /** Where the objects came from, for the text summary (`in 3 files` by default). */
  readonly sources?: SourcesNote;
}

/** Judge the manifests and render what the user sees. Pure: texts in, text out (the files are taken over). */
export function checkManifests(texts: ManifestText[], rules: readonly Rule[], policy: Policy, settings: RenderSettings): CheckOutcome {
  const files = texts.length;
  const report = reportOf(judgeManifests(texts, { rules, policy, namespace: settings.namespace, now: settings.now }), files);
  const stderr = report.results.flatMap((result) =>
    result.failures.map((failure) => `kube-guardrails: KG_RULE_FAILED: rule ${failure.rule} failed on ${result.file}:${result.line}: ${failure.message}\n`),
  );
  return { stdout: renderReport(report, settings, rules), stderr, allowed: report.summary.allowed };
}

export async function runCheck(config: CheckConfig, io: CheckIo): Promise<number> {
  const policy = await loadPolicy(config, io.rules);
  for (const warning of policy.policy.warnings) io.stderr(`kube-guardrails: warning: policy ${config.policyPath ?? ''}: ${warning}\n`);
  const { texts, failure } = await readSources(config, io);
  const settings: RenderSettings = { output: config.output, color: config.color ?? io.stdoutIsTty, namespace: config.namespace, now: io.now(), cwd: io.cwd, version: io.version };
  const outcome = await checkOffThread(texts, policy, settings, io);
  if (failure !== undefined) throw failure;
  for (const line of outcome.stderr) io.stderr(line);
  io.stdout(outcome.stdout);
  return outcome.allowed ? EXIT.clean : EXIT.denied;
}
