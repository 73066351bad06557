/**
 * `kube-guardrails audit`: one pass over what already runs in the cluster, judged as the
 * webhook would judge it (same engine, policy, exemptions and view, same registration
 * scope), rendered as `check` renders manifests, with the same exit status. With
 * `--reports` the results are also written as policy reports, and reports that are no
 * longer true are removed. `--watch` keeps auditing (continuous-audit.ts).
 */
import type { AuditConfig } from '../config.js';
import { credentialSource } from '../cluster/credentials.js';
import type { KubeApi, KubeRequests } from '../cluster/kube-api.js';
import { listJudgedObjects, registrationScope } from '../cluster/list-cluster.js';
import { applyReportWrites, listManagedReports, RateLimit, type WriteOutcome } from '../cluster/report-writer.js';
import { auditObjects, type AuditResult, type AuditScope } from '../engine/audit.js';
import { describeError, EXIT, GuardrailsError } from '../errors.js';
import { readPolicyFileText } from '../io/policy-file.js';
import type { Logger } from '../logger.js';
import { defaultPolicy, type Policy } from '../policy/policy.js';
import { reportOf as policyReportOf, REPORT_KINDS, type ReportApi } from '../report/openreports.js';
import { planReportWrites } from '../report/report-plan.js';
import { reportOf, type ObjectResult } from '../report/report.js';
import type { SourcesNote } from '../report/text.js';
import type { Rule } from '../rules/types.js';
import { AUDIT_HEAP_MIB, auditOnWorker } from './audit-thread.js';
import { renderReport } from './check.js';

export interface AuditIo {
  readonly rules: readonly Rule[];
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stdoutIsTty: boolean;
  readonly now: () => number;
  readonly version: string;
  readonly logger: Logger;
}

export type ClusterClient = KubeApi & KubeRequests;

/** The policy, and the text it was read from (for the worker; none for the built-in default). */
export async function loadAuditPolicy(config: AuditConfig, rules: readonly Rule[]): Promise<{ readonly policy: Policy; readonly text?: string }> {
  return config.policyPath === undefined ? { policy: defaultPolicy(rules) } : readPolicyFileText(config.policyPath, rules);
}

/** The client for the cluster found as kubectl finds it; loaded only here (it is heavy). */
export async function connect(config: AuditConfig): Promise<ClusterClient> {
  const source = credentialSource(config.cluster);
  if (source === undefined) throw new GuardrailsError('KG_CLUSTER_CONFIG', 'no cluster to audit: no KUBECONFIG, no ~/.kube/config and no in-cluster ServiceAccount');
  const [{ kubeApi }, { openConnection }] = await Promise.all([import('../cluster/kube-client.js'), import('../cluster/kubeconfig.js')]);
  return kubeApi(await openConnection(source, config.cluster.inClusterServer));
}

/** Anything the API server or the network refused becomes one line with a stable code. */
export async function reading<T>(what: string, server: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error: unknown) {
    if (error instanceof GuardrailsError) throw error;
    throw new GuardrailsError('KG_CLUSTER_UNREACHABLE', `cannot ${what} from ${server}: ${error instanceof Error ? error.message : describeError(error)}`, { cause: error });
  }
}

/** One audit pass: the registration's scope, every judged object, the verdicts. */
export async function auditPass(api: ClusterClient, config: Pick<AuditConfig, 'namespace'>, context: { readonly rules: readonly Rule[]; readonly policy: Policy; readonly now: number }, signal: AbortSignal): Promise<AuditResult> {
  const registration = await reading('read the webhook registration', api.server, () => registrationScope(api, signal));
  const scope: AuditScope = { ...registration.scope, ...optionalNamespace(config) };
  const objects = await reading('list the objects to audit', api.server, () => listJudgedObjects(api, config.namespace, signal));
  return auditObjects(objects, { ...context, scope });
}

export interface ReportSettings {
  readonly api: ReportApi;
  readonly namespace?: string;
  readonly limit: RateLimit;
}

/** Brings the cluster's reports to what the pass found: create, replace, prune. */
export async function writeReports(api: ClusterClient, result: AuditResult, settings: ReportSettings, deps: { readonly now: number; readonly logger: Logger; readonly signal: AbortSignal }): Promise<WriteOutcome> {
  const existing = await reading('list the reports', api.server, () => listManagedReports(api, settings.api, settings.namespace, deps.signal));
  const desired = result.audited.flatMap((audited) => policyReportOf(audited, settings.api, deps.now) ?? []);
  const writes = planReportWrites(desired, existing, { api: settings.api, ...(settings.namespace === undefined ? {} : { namespace: settings.namespace }) });
  return applyReportWrites(api, writes, settings.limit, { logger: deps.logger, signal: deps.signal });
}

function hasFindings(result: ObjectResult): boolean {
  return result.violations.length + result.waived.length + result.failures.length > 0;
}

const IN_THE_CLUSTER: SourcesNote = () => 'in the cluster';

function optionalNamespace(config: Pick<AuditConfig, 'namespace'>): { namespace?: string } {
  return config.namespace === undefined ? {} : { namespace: config.namespace };
}

async function writeAndTell(api: ClusterClient, result: AuditResult, config: AuditConfig, deps: { readonly now: number; readonly io: AuditIo; readonly signal: AbortSignal }): Promise<void> {
  const limit = new RateLimit(config.writesPerSecond, config.writesPerSecond * 2);
  const outcome = await writeReports(api, result, { api: config.reportApi, limit, ...optionalNamespace(config) }, { now: deps.now, logger: deps.io.logger, signal: deps.signal });
  const kinds = REPORT_KINDS[config.reportApi];
  deps.io.stderr(`kube-guardrails: reports (${kinds.apiVersion}): ${outcome.created} created, ${outcome.replaced} replaced, ${outcome.deleted} deleted, ${outcome.failed} failed\n`);
  if (outcome.failed > 0) throw new GuardrailsError('KG_REPORT_WRITE_FAILED', `${outcome.failed} report writes failed; the log above names each`);
}

/** The pass on a bounded-heap worker (audit-thread.ts), or again on this thread if it needed more. */
async function passOffThread(
  api: ClusterClient,
  config: AuditConfig,
  run: { readonly policy: Policy; readonly text: string | undefined; readonly now: number; readonly io: AuditIo; readonly signal: AbortSignal },
): Promise<AuditResult> {
  const result = await auditOnWorker({ config, now: run.now, ...(run.text === undefined ? {} : { policyText: run.text }) });
  if (result !== 'out of memory') return result;
  run.io.stderr(`kube-guardrails: note: the audit needed more than ${String(AUDIT_HEAP_MIB)} MiB; listing and judging again with the whole heap\n`);
  return auditPass(api, config, { rules: run.io.rules, policy: run.policy, now: run.now }, run.signal);
}

export async function runAudit(config: AuditConfig, io: AuditIo): Promise<number> {
  const { policy, text } = await loadAuditPolicy(config, io.rules);
  for (const warning of policy.warnings) io.stderr(`kube-guardrails: warning: policy ${config.policyPath ?? ''}: ${warning}\n`);
  const api = await connect(config);
  const signal = new AbortController().signal;
  const now = io.now();
  const result = await passOffThread(api, config, { policy, text, now, io, signal });
  const counted = reportOf(
    result.audited.map((audited) => audited.result),
    result.audited.length,
  );
  // A cluster holds thousands of clean objects: the results list those with something to say; the summary counts all.
  const report = { ...counted, results: counted.results.filter(hasFindings) };
  // SARIF locations are the objects' API paths, relative to the server's root.
  const settings = { output: config.output, color: config.color ?? io.stdoutIsTty, namespace: config.namespace ?? '', now, cwd: '/', version: io.version, sources: IN_THE_CLUSTER };
  for (const failed of report.results) {
    for (const failure of failed.failures) io.stderr(`kube-guardrails: KG_RULE_FAILED: rule ${failure.rule} failed on ${failed.file}: ${failure.message}\n`);
  }
  io.stdout(renderReport(report, settings, io.rules));
  if (config.reports) await writeAndTell(api, result, config, { now, io, signal });
  return report.summary.allowed ? EXIT.clean : EXIT.denied;
}
