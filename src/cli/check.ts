/**
 * `kube-guardrails check`: the shell around the engine for manifests. Exit status 0
 * when nothing is denied, 1 when anything is, 2 for usage or input errors.
 */
import type { CheckConfig } from '../config.js';
import { GuardrailsError } from '../errors.js';
import { evaluate } from '../engine/evaluate.js';
import { manifestView } from '../engine/manifest-view.js';
import { ManifestError, parseManifests, type ManifestObject } from '../manifests/parse-manifests.js';
import { DEFAULT_POLICY, parsePolicy, PolicyError, type Policy } from '../policy/policy.js';
import { collectSources, readText } from './collect-files.js';
import { formatJson } from './format/json.js';
import { formatJunit } from './format/junit.js';
import { formatSarif } from './format/sarif.js';
import { formatText } from './format/text.js';
import { summarize, toObjectResult, type CheckReport, type ObjectResult } from './report.js';

export const EXIT = { clean: 0, denied: 1, usage: 2 } as const;

export interface CheckIo {
  readonly readStdin: () => Promise<string>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stdoutIsTty: boolean;
  readonly cwd: string;
  readonly now: () => number;
  readonly version: string;
}

interface LoadedFile {
  readonly name: string;
  readonly objects: readonly ManifestObject[];
}

export async function loadPolicyFile(path: string | undefined): Promise<Policy> {
  if (path === undefined) return DEFAULT_POLICY;
  const text = await readText(path);
  try {
    return parsePolicy(text);
  } catch (error: unknown) {
    if (error instanceof PolicyError) throw new GuardrailsError('KG_BAD_POLICY', `invalid policy ${path}: ${error.message}`, { cause: error });
    throw error;
  }
}

async function loadFiles(config: CheckConfig, io: CheckIo): Promise<LoadedFile[]> {
  const sources = await collectSources(config.paths, io.readStdin);
  const files: LoadedFile[] = [];
  for (const source of sources) {
    const text = await source.read();
    try {
      files.push({ name: source.name, objects: parseManifests(text, source.name) });
    } catch (error: unknown) {
      if (error instanceof ManifestError) throw new GuardrailsError('KG_BAD_MANIFEST', error.message, { cause: error });
      throw error;
    }
  }
  return files;
}

export function buildReport(files: readonly LoadedFile[], policy: Policy, config: Pick<CheckConfig, 'namespace'>, now: number): CheckReport {
  const view = manifestView(files.flatMap((file) => file.objects.map((entry) => entry.object)), config.namespace);
  const results: ObjectResult[] = [];
  for (const file of files) {
    for (const entry of file.objects) {
      const verdict = evaluate(entry.object, { policy, view, now, defaultNamespace: config.namespace });
      results.push(toObjectResult(file.name, entry.line, entry.lineOf, verdict));
    }
  }
  return { results, summary: summarize(results, files.length) };
}

function render(report: CheckReport, config: CheckConfig, io: CheckIo): string {
  switch (config.output) {
    case 'json':
      return formatJson(report);
    case 'sarif':
      return formatSarif(report, io.version, io.cwd);
    case 'junit':
      return formatJunit(report);
    case 'text':
      return formatText(report, config.color ?? io.stdoutIsTty);
  }
}

export async function runCheck(config: CheckConfig, io: CheckIo): Promise<number> {
  const policy = await loadPolicyFile(config.policyPath);
  const files = await loadFiles(config, io);
  const report = buildReport(files, policy, config, io.now());
  for (const result of report.results) {
    for (const failure of result.failures) {
      io.stderr(`kube-guardrails: KG_RULE_FAILED: rule ${failure.rule} failed on ${result.file}:${result.line}: ${failure.message}\n`);
    }
  }
  io.stdout(render(report, config, io));
  return report.summary.allowed ? EXIT.clean : EXIT.denied;
}
