/**
 * `kube-guardrails audit --watch`: the audit kept current inside the cluster.
 *
 * - Informers keep whole objects of every judged kind (list, then watch from the list's
 *   version), so a pass reads memory, not the API server.
 * - A pass runs after a change has settled (a changed object is judged again, with the
 *   objects around it), after the policy file changes (everything is judged again), and
 *   at least every `intervalMs` (what a lost watch may have missed).
 * - Only the replica that holds the Lease writes reports; the others judge and serve
 *   metrics, ready to take over. Writes go through one rate limit, and a pass writes only
 *   what changed.
 * - /metrics carries the violations of the last pass per rule and namespace.
 */
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { connect, reading, writeReports } from './audit.js';
import { createAuditMetrics, recordPass, type AuditMetrics } from './audit-metrics.js';
import type { AuditConfig, ContinuousAuditConfig } from '../config.js';
import { Informer } from '../cluster/informer.js';
import { LeaderElection } from '../cluster/lease.js';
import { registrationScope } from '../cluster/list-cluster.js';
import { ObjectStore } from '../cluster/object-store.js';
import { RateLimit, type WriteOutcome } from '../cluster/report-writer.js';
import { collectionPath, KINDS } from '../core/kubernetes/kinds.js';
import { auditObjects } from '../engine/audit.js';
import { describeError, EXIT } from '../errors.js';
import { createLogger, type Logger } from '../logger.js';
import type { Rule } from '../rules/types.js';
import { openPolicySource, type PolicySource } from '../server/policy-source.js';
import type { ClusterClient } from './audit.js';

export interface AuditProgram {
  readonly rules: readonly Rule[];
  readonly version: string;
}

/** A burst of changes delays its pass by at most this many settle periods. */
const MAX_SETTLE_PERIODS = 10;

/** Runs one pass at a time: a request during a pass gets one more pass after it, never two at once. */
export class PassScheduler {
  private running = false;
  private pending = false;
  private settle: NodeJS.Timeout | undefined;
  private periodic: NodeJS.Timeout | undefined;
  private stopped = false;
  private firstChangeAt: number | undefined;

  constructor(
    private readonly pass: () => Promise<void>,
    private readonly timing: { readonly settleMs: number; readonly intervalMs: number },
  ) {}

  /**
   * A change: a pass once changes have settled for `settleMs`, and no later than ten
   * settle periods after the first of them, so a cluster that never stops changing
   * (status updates) still gets its passes.
   */
  changed(): void {
    if (this.stopped) return;
    const now = Date.now();
    this.firstChangeAt ??= now;
    if (this.settle !== undefined) {
      if (now - this.firstChangeAt >= MAX_SETTLE_PERIODS * this.timing.settleMs) return;
      clearTimeout(this.settle);
    }
    this.settle = setTimeout(() => {
      this.settle = undefined;
      this.firstChangeAt = undefined;
      this.now();
    }, this.timing.settleMs);
  }

  /** A pass as soon as none is running. */
  now(): void {
    if (this.stopped) return;
    if (this.running) {
      this.pending = true;
      return;
    }
    this.running = true;
    if (this.periodic !== undefined) clearTimeout(this.periodic);
    // A pass logs and counts its own failures; one that throws anyway must not stop the next.
    void this.pass()
      .catch(() => undefined)
      .finally(() => {
        this.running = false;
        if (this.stopped) return;
        this.periodic = setTimeout(() => {
          this.now();
        }, this.timing.intervalMs);
        if (this.pending) {
          this.pending = false;
          this.now();
        }
      });
  }

  stop(): void {
    this.stopped = true;
    if (this.settle !== undefined) clearTimeout(this.settle);
    if (this.periodic !== undefined) clearTimeout(this.periodic);
  }
}

interface PassDeps {
  readonly api: ClusterClient;
  readonly config: AuditConfig;
  readonly program: AuditProgram;
  readonly store: ObjectStore;
  readonly policy: PolicySource;
  readonly lease: LeaderElection;
  readonly limit: RateLimit;
  readonly metrics: AuditMetrics;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  /** Aborted when the process stops or this replica stops leading: no write goes out after that. */
  readonly writeSignal: () => AbortSignal;
}

function countWrites(metrics: AuditMetrics, outcome: WriteOutcome): void {
  metrics.reportWrites.inc({ operation: 'create', outcome: 'success' }, outcome.created);
  metrics.reportWrites.inc({ operation: 'replace', outcome: 'success' }, outcome.replaced);
  metrics.reportWrites.inc({ operation: 'delete', outcome: 'success' }, outcome.deleted);
  metrics.reportWrites.inc({ operation: 'any', outcome: 'failure' }, outcome.failed);
}

/** One pass over what the informers hold: judged always, written only by the Lease holder. */
async function auditPassOnce(deps: PassDeps): Promise<void> {
  const started = performance.now();
  const { api, config, logger, metrics } = deps;
  try {
    const registration = await reading('read the webhook registration', api.server, () => registrationScope(api, deps.signal));
    const scope = { ...registration.scope, ...(config.namespace === undefined ? {} : { namespace: config.namespace }) };
    const now = Date.now();
    const result = auditObjects(deps.store.all(), { rules: deps.program.rules, policy: deps.policy.current(), now, scope });
    recordPass(metrics, result);
    const leading = deps.lease.isLeader();
    const outcome = leading
      ? await writeReports(api, result, { api: config.reportApi, limit: deps.limit, ...(config.namespace === undefined ? {} : { namespace: config.namespace }) }, { now, logger, signal: deps.writeSignal() })
      : undefined;
    if (outcome !== undefined) countWrites(metrics, outcome);
    metrics.passes.inc({ outcome: 'success' });
    logger.info({ judged: result.audited.length, skipped: result.skipped, scopeFrom: registration.source, leading, writes: outcome, ms: Math.round(performance.now() - started) }, 'audit pass');
  } catch (error: unknown) {
    metrics.passes.inc({ outcome: 'failure' });
    logger.error({ err: describeError(error) }, 'audit pass failed; the next one retries');
  } finally {
    metrics.passDuration.observe((performance.now() - started) / 1000);
  }
}

function metricsServer(metrics: AuditMetrics, ready: () => boolean): Server {
  return createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      metrics.registry.metrics().then(
        (text) => {
          response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text);
        },
        () => {
          response.writeHead(500).end();
        },
      );
      return;
    }
    if (path === '/healthz') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    if (path === '/readyz') {
      const isReady = ready();
      response.writeHead(isReady ? 200 : 503, { 'content-type': 'text/plain' }).end(isReady ? 'ok\n' : 'not synced\n');
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
}

async function untilSignal(logger: Logger): Promise<void> {
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  logger.info({ signal }, 'audit stopping: releasing the Lease');
}

function informersFor(api: ClusterClient, store: ObjectStore, deps: { readonly namespace: string | undefined; readonly logger: Logger; readonly onChange: () => void }): Informer<string>[] {
  return KINDS.filter((spec) => spec.admission).map(
    (spec) => new Informer<string>(spec.resource, { api, state: store, path: collectionPath(spec, deps.namespace), logger: deps.logger, now: () => Date.now(), onChange: deps.onChange }),
  );
}

export async function runContinuousAudit(config: AuditConfig, continuous: ContinuousAuditConfig, program: AuditProgram): Promise<number> {
  const logger = createLogger({ level: continuous.logLevel });
  const metrics = createAuditMetrics({ defaultMetrics: true });
  const api = await connect(config);
  const controller = new AbortController();
  // Nothing is judged before every informer has its first list: a pass on half a cluster would prune true reports.
  const state = { synced: false, stopped: false };
  const whenSynced = (act: () => void) => (): void => {
    if (state.synced && !state.stopped) act();
  };
  const store = new ObjectStore(KINDS.filter((spec) => spec.admission));
  const limit = new RateLimit(config.writesPerSecond, config.writesPerSecond * 2);
  // Renewed whenever this replica starts leading; aborted when it stops, so a pass under way writes no more.
  let leadership = new AbortController();
  const writeSignal = (): AbortSignal => AbortSignal.any([controller.signal, leadership.signal]);
  const passDeps: Omit<PassDeps, 'policy' | 'lease'> = { api, config, program, store, limit, metrics, logger, signal: controller.signal, writeSignal };
  const late: { policy?: PolicySource; lease?: LeaderElection } = {};
  const scheduler = new PassScheduler(async () => {
    if (late.policy !== undefined && late.lease !== undefined) await auditPassOnce({ ...passDeps, policy: late.policy, lease: late.lease });
  }, { settleMs: continuous.settleMs, intervalMs: continuous.intervalMs });
  const policy = await openPolicySource(config.policyPath, { rules: program.rules, logger, metrics, watchIntervalMs: continuous.watchIntervalMs, onReload: whenSynced(() => { scheduler.now(); }) });
  const lease = new LeaderElection(
    api,
    { namespace: continuous.leaseNamespace, name: continuous.leaseName, identity: continuous.identity, durationMs: continuous.leaseDurationMs },
    {
      logger,
      now: () => Date.now(),
      onChange: (leader) => {
        metrics.leader.set(leader ? 1 : 0);
        if (leader) leadership = new AbortController();
        else leadership.abort();
        // A new leader brings the reports up to date at once.
        if (leader) whenSynced(() => { scheduler.now(); })();
      },
    },
  );
  Object.assign(late, { policy, lease });
  const informers = informersFor(api, store, { namespace: config.namespace, logger, onChange: whenSynced(() => { scheduler.changed(); }) });
  const server = metricsServer(metrics, () => state.synced);
  server.listen(continuous.metricsPort, continuous.metricsHost);
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : continuous.metricsPort;
  logger.info({ version: program.version, metrics: `http://${continuous.metricsHost}:${String(port)}/metrics`, namespace: config.namespace ?? 'all', reports: config.reportApi, identity: continuous.identity }, 'continuous audit starting');
  for (const informer of informers) informer.start();
  const stopping = untilSignal(logger).then(() => {
    state.stopped = true;
  });
  await Promise.race([Promise.all(informers.map((informer) => informer.synced$())), stopping]);
  if (!state.stopped) {
    state.synced = true;
    lease.start();
    scheduler.now();
  }
  await stopping;
  scheduler.stop();
  controller.abort();
  policy.close();
  await Promise.all([lease.stop(), ...informers.map((informer) => informer.stop())]);
  server.close();
  server.closeAllConnections();
  return EXIT.clean;
}
