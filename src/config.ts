/**
 * The only module that reads argv and the environment. It turns them into one frozen
 * command description; everything downstream takes its settings from that.
 */
import { Command, CommanderError, Option } from 'commander';
import { DEFAULT_NAMESPACE } from './core/kubernetes/kinds.js';
import { GuardrailsError } from './errors.js';
import { REPORT_APIS, type ReportApi } from './report/openreports.js';
import { REQUEST_TIMEOUT_MS } from './server/deps.js';

const OUTPUT_FORMATS = ['text', 'json', 'sarif', 'junit'] as const;
type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface CheckConfig {
  readonly command: 'check';
  readonly policyPath?: string;
  readonly output: OutputFormat;
  readonly namespace: string;
  readonly paths: readonly string[];
  /** Colour in text output: FORCE_COLOR / NO_COLOR win over TTY detection. */
  readonly color?: boolean;
}

export interface ServeConfig {
  readonly command: 'serve';
  readonly policyPath?: string;
  readonly port: number;
  readonly host: string;
  readonly tlsCertPath?: string;
  readonly tlsKeyPath?: string;
  readonly clientCaPath?: string;
  readonly logLevel: string;
  readonly logBodies: boolean;
  /** After SIGTERM: fail readiness and keep answering this long, then stop listening. */
  readonly shutdownDelayMs: number;
  readonly requestTimeoutMs: number;
  readonly watchIntervalMs: number;
  /** Review workers for large reviews. */
  readonly reviewWorkers: number;
  /** The most time one review may take on a review worker. */
  readonly reviewBudgetMs: number;
  /** A review worker's heap limit. */
  readonly reviewWorkerHeapMiB: number;
  /** Large reviews that may wait for a worker before new ones are refused. */
  readonly reviewQueueMax: number;
  /** Event-loop lag above which a rising share of new reviews is refused. */
  readonly shedLagMs: number;
  readonly clusterView: ClusterViewConfig;
}

/**
 * Where the webhook's cluster view comes from, as far as the environment says: the
 * cluster edge resolves it as kubectl does (KUBECONFIG, else ~/.kube/config, else the
 * in-cluster ServiceAccount). `auto` turns the view off when none is found.
 */
export interface ClusterViewConfig {
  readonly mode: 'auto' | 'on' | 'off';
  /** KUBECONFIG's files, in order (later ones merged into the first). */
  readonly kubeconfigPaths: readonly string[];
  readonly home?: string;
  /** Whether KUBERNETES_SERVICE_HOST is set: running in a pod. */
  readonly inCluster: boolean;
  /** The API server as a pod reaches it: https://KUBERNETES_SERVICE_HOST:KUBERNETES_SERVICE_PORT. */
  readonly inClusterServer?: string;
  /** A resource whose watch has been lost this long is no longer trusted. */
  readonly staleAfterMs: number;
}

/** `kube-guardrails audit`: judge what runs in the cluster; with `--reports`, write it as policy reports. */
export interface AuditConfig {
  readonly command: 'audit';
  readonly policyPath?: string;
  readonly output: OutputFormat;
  /** Only this namespace (and its Namespace object). */
  readonly namespace?: string;
  readonly reports: boolean;
  readonly reportApi: ReportApi;
  /** Report writes per second (a burst of twice as many). */
  readonly writesPerSecond: number;
  readonly color?: boolean;
  /** Where the cluster's credentials are (the same search as the webhook's view); `mode` is unused. */
  readonly cluster: ClusterViewConfig;
  /** Keep auditing: informers, a periodic full pass, one writer through a Lease, /metrics. */
  readonly continuous?: ContinuousAuditConfig;
}

export interface ContinuousAuditConfig {
  readonly intervalMs: number;
  /** How long after a change the next pass waits, so that a burst of changes costs one pass. */
  readonly settleMs: number;
  readonly leaseNamespace: string;
  readonly leaseName: string;
  /** This replica's name in the Lease. */
  readonly identity: string;
  readonly leaseDurationMs: number;
  readonly metricsPort: number;
  readonly metricsHost: string;
  readonly logLevel: string;
  readonly watchIntervalMs: number;
}

export type Config = CheckConfig | ServeConfig | AuditConfig | { readonly command: 'exit'; readonly code: number };

const DEFAULTS = {
  port: 8443,
  host: '0.0.0.0',
  namespace: DEFAULT_NAMESPACE,
  logLevel: 'info',
  shutdownDelaySeconds: 5, // s; endpoints take a few seconds to drop a terminating pod
  requestTimeoutMs: REQUEST_TIMEOUT_MS,
  watchIntervalMs: 2_000, // ms; how often the policy and certificate files are checked
  reviewWorkers: 1,
  reviewBudgetMs: 2_000, // ms; well inside the webhook's 5 s timeoutSeconds
  reviewWorkerHeapMiB: 96, // MiB; three 3 MiB objects at their costliest fit, and the pod's 512Mi limit holds
  reviewQueueMax: 8,
  shedLagMs: 250, // ms; far under the 5 s deadline, above what steady load causes
  // s; a watch reconnects within seconds, and a minute of missed events is the most a finding may be judged on
  clusterViewStaleSeconds: 60,
  // writes/s; a first pass over a large cluster stays well under the API server's default limits
  auditWritesPerSecond: 20,
  auditIntervalSeconds: 600, // s; the full pass catches what a lost watch missed
  auditSettleSeconds: 2, // s; a burst of changes (a rollout, a policy applied with its namespace) costs one pass
  auditLeaseSeconds: 15, // s; as kube-controller-manager's leader election
  auditMetricsPort: 8080,
  leaseNamespace: 'kube-guardrails',
} as const;

const CLUSTER_VIEW_MODES = ['auto', 'on', 'off'] as const;

/** As client-go's in-cluster config: an IPv6 host is bracketed. */
function inClusterServerOf(env: Env): { inClusterServer?: string } {
  const host = env.KUBERNETES_SERVICE_HOST ?? '';
  if (host === '') return {};
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  return { inClusterServer: `https://${host.includes(':') ? `[${host}]` : host}:${port}` };
}

function clusterViewFromEnv(env: Env): ClusterViewConfig {
  const raw = env.CLUSTER_VIEW ?? 'auto';
  const mode = CLUSTER_VIEW_MODES.find((candidate) => candidate === raw);
  if (mode === undefined) throw new GuardrailsError('KG_USAGE', `CLUSTER_VIEW must be one of ${CLUSTER_VIEW_MODES.join(', ')}, got "${raw}"`);
  // kubectl splits KUBECONFIG on the platform's list separator and skips empty entries.
  const separator = process.platform === 'win32' ? ';' : ':';
  return Object.freeze({
    mode,
    kubeconfigPaths: Object.freeze((env.KUBECONFIG ?? '').split(separator).filter((path) => path !== '')),
    ...(env.HOME === undefined || env.HOME === '' ? {} : { home: env.HOME }),
    inCluster: (env.KUBERNETES_SERVICE_HOST ?? '') !== '',
    ...inClusterServerOf(env),
    staleAfterMs: numberFromEnv(env, 'CLUSTER_VIEW_STALE_SECONDS', DEFAULTS.clusterViewStaleSeconds) * 1000,
  });
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function numberFromEnv(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new GuardrailsError('KG_USAGE', `${name} must be a non-negative number, got "${raw}"`);
  return value;
}

type Env = Readonly<Record<string, string | undefined>>;

function colorFromEnv(env: Env): boolean | undefined {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0';
  return undefined;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new GuardrailsError('KG_USAGE', `--port must be 0–65535, got "${value}"`);
  return port;
}

function logLevelFromEnv(env: Env): string {
  const level = env.LOG_LEVEL ?? DEFAULTS.logLevel;
  if (!LOG_LEVELS.includes(level)) throw new GuardrailsError('KG_USAGE', `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
  return level;
}

interface Captured {
  config?: Config;
}

function checkCommand(captured: Captured, env: Env): Command {
  return new Command('check')
    .description('Judge manifests (files, directories, or - for stdin) against the policy')
    .argument('<paths...>', 'files or directories (*.yaml, *.yml, *.json), or - for stdin')
    .option('-p, --policy <file>', 'policy file (default: the built-in policy)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(OUTPUT_FORMATS).default('text'))
    .option('-n, --namespace <ns>', 'namespace for objects that name none', DEFAULTS.namespace)
    .action((paths: string[], options: { policy?: string; output: OutputFormat; namespace: string }) => {
      const color = colorFromEnv(env);
      captured.config = Object.freeze({
        command: 'check',
        paths: Object.freeze([...paths]),
        output: options.output,
        namespace: options.namespace,
        ...(options.policy === undefined ? {} : { policyPath: options.policy }),
        ...(color === undefined ? {} : { color }),
      });
    });
}

interface AuditOptions {
  policy?: string;
  output: OutputFormat;
  namespace?: string;
  reports?: boolean;
  reportApi: ReportApi;
  watch?: boolean;
  metricsPort: string;
  metricsHost: string;
}

function continuousFromEnv(options: AuditOptions, env: Env): ContinuousAuditConfig {
  return Object.freeze({
    intervalMs: numberFromEnv(env, 'AUDIT_INTERVAL_SECONDS', DEFAULTS.auditIntervalSeconds) * 1000,
    settleMs: numberFromEnv(env, 'AUDIT_SETTLE_SECONDS', DEFAULTS.auditSettleSeconds) * 1000,
    leaseNamespace: env.POD_NAMESPACE ?? DEFAULTS.leaseNamespace,
    leaseName: 'kube-guardrails-audit',
    // The pod's name (the downward API), else the host's: unique per replica.
    identity: env.POD_NAME ?? env.HOSTNAME ?? `audit-${String(process.pid)}`,
    leaseDurationMs: numberFromEnv(env, 'AUDIT_LEASE_SECONDS', DEFAULTS.auditLeaseSeconds) * 1000,
    metricsPort: parsePort(options.metricsPort),
    metricsHost: options.metricsHost,
    logLevel: logLevelFromEnv(env),
    watchIntervalMs: numberFromEnv(env, 'WATCH_INTERVAL_MS', DEFAULTS.watchIntervalMs),
  });
}

function auditCommand(captured: Captured, env: Env): Command {
  return new Command('audit')
    .description('Judge what already runs in the cluster (KUBECONFIG, ~/.kube/config or in-cluster), as the webhook would')
    .option('-p, --policy <file>', 'policy file (default: the built-in policy)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(OUTPUT_FORMATS).default('text'))
    .option('-n, --namespace <ns>', 'audit only this namespace (default: every namespace the webhook judges)')
    .option('--reports', 'write the results to the cluster as policy reports, and remove those no longer true')
    .addOption(new Option('--report-api <api>', 'report API: OpenReports, or wgpolicyk8s PolicyReports for Policy Reporter').choices(REPORT_APIS).default('openreports'))
    .option('--watch', 'keep auditing: re-judge on every change and periodically, one writer at a time (implies --reports)')
    .option('--metrics-port <port>', 'with --watch: port of /metrics, /healthz and /readyz (HTTP)', String(DEFAULTS.auditMetricsPort))
    .option('--metrics-host <host>', 'with --watch: address to listen on for metrics', DEFAULTS.host)
    .action((options: AuditOptions) => {
      const color = colorFromEnv(env);
      const continuous = options.watch === true;
      captured.config = Object.freeze({
        command: 'audit',
        output: options.output,
        reports: options.reports === true || continuous,
        reportApi: options.reportApi,
        writesPerSecond: Math.max(0.1, numberFromEnv(env, 'AUDIT_WRITES_PER_SECOND', DEFAULTS.auditWritesPerSecond)),
        cluster: clusterViewFromEnv({ ...env, CLUSTER_VIEW: 'on' }),
        ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
        ...(options.policy === undefined ? {} : { policyPath: options.policy }),
        ...(color === undefined ? {} : { color }),
        ...(continuous ? { continuous: continuousFromEnv(options, env) } : {}),
      });
    });
}

interface ServeOptions {
  policy?: string;
  port: string;
  host: string;
  tlsCert?: string;
  tlsKey?: string;
  clientCa?: string;
}

function serveCommand(captured: Captured, env: Env): Command {
  return new Command('serve')
    .description('Run the validating admission webhook over HTTPS')
    .option('-p, --policy <file>', 'policy file, watched and reloaded (default: the built-in policy)')
    .option('--port <port>', 'HTTPS port', String(DEFAULTS.port))
    .option('--host <address>', 'address to listen on', DEFAULTS.host)
    .option('--tls-cert <file>', 'serving certificate (PEM); without it a self-signed one is made')
    .option('--tls-key <file>', 'serving key (PEM)')
    .option('--client-ca <file>', 'require API server client certificates signed by this CA')
    .action((options: ServeOptions) => {
      if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) {
        throw new GuardrailsError('KG_USAGE', '--tls-cert and --tls-key go together');
      }
      captured.config = Object.freeze({
        command: 'serve',
        port: parsePort(options.port),
        host: options.host,
        logLevel: logLevelFromEnv(env),
        logBodies: env.LOG_BODIES === 'true',
        shutdownDelayMs: numberFromEnv(env, 'SHUTDOWN_DELAY_SECONDS', DEFAULTS.shutdownDelaySeconds) * 1000,
        requestTimeoutMs: numberFromEnv(env, 'REQUEST_TIMEOUT_MS', DEFAULTS.requestTimeoutMs),
        watchIntervalMs: numberFromEnv(env, 'WATCH_INTERVAL_MS', DEFAULTS.watchIntervalMs),
        reviewWorkers: Math.max(1, Math.floor(numberFromEnv(env, 'REVIEW_WORKERS', DEFAULTS.reviewWorkers))),
        reviewBudgetMs: numberFromEnv(env, 'REVIEW_BUDGET_MS', DEFAULTS.reviewBudgetMs),
        reviewWorkerHeapMiB: Math.max(32, numberFromEnv(env, 'REVIEW_WORKER_HEAP_MIB', DEFAULTS.reviewWorkerHeapMiB)),
        reviewQueueMax: Math.floor(numberFromEnv(env, 'REVIEW_QUEUE_MAX', DEFAULTS.reviewQueueMax)),
        shedLagMs: numberFromEnv(env, 'SHED_LAG_MS', DEFAULTS.shedLagMs),
        clusterView: clusterViewFromEnv(env),
        ...(options.policy === undefined ? {} : { policyPath: options.policy }),
        ...(options.tlsCert === undefined ? {} : { tlsCertPath: options.tlsCert }),
        ...(options.tlsKey === undefined ? {} : { tlsKeyPath: options.tlsKey }),
        ...(options.clientCa === undefined ? {} : { clientCaPath: options.clientCa }),
      });
    });
}

export interface CommandLineOutput {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/**
 * Parses argv (without node and script). Usage errors throw GuardrailsError('KG_USAGE');
 * --help and --version print and yield `{command: 'exit'}`.
 */
export function loadConfig(
  output: CommandLineOutput,
  version: string,
  argv: readonly string[] = process.argv.slice(2),
  env: Env = process.env,
): Config {
  const captured: Captured = {};
  const program = new Command('kube-guardrails')
    .description('Kubernetes guardrails for NetworkPolicies and Pods: admission webhook and policy-as-code checks')
    .version(version)
    .exitOverride()
    .configureOutput({ writeOut: output.out, writeErr: output.err, outputError: () => undefined })
    .showSuggestionAfterError(true)
    .addCommand(checkCommand(captured, env))
    .addCommand(serveCommand(captured, env))
    .addCommand(auditCommand(captured, env));
  for (const sub of program.commands) sub.exitOverride().configureOutput({ writeOut: output.out, writeErr: output.err, outputError: () => undefined });
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error: unknown) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return { command: 'exit', code: 0 };
      if (error.code === 'commander.help') return { command: 'exit', code: 2 };
      // One line, suggestion included: "unknown option '--outptu' (Did you mean --output?)".
      const message = error.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ');
      throw new GuardrailsError('KG_USAGE', message, { cause: error });
    }
    throw error;
  }
  if (captured.config === undefined) {
    output.err(program.helpInformation());
    return { command: 'exit', code: 2 };
  }
  return captured.config;
}
