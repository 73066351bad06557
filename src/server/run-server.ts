/**
 * `kube-guardrails serve`: wires config, logger, metrics, policy and certificates into
 * the server, listens, follows file changes, and shuts down gracefully on SIGTERM.
 */
import type { ServerOptions as HttpsOptions } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Server as TlsServer } from 'node:tls';
import { startLiveView, type LiveView } from '../cluster/informer-view.js';
import { credentialSource, describeSource } from '../cluster/credentials.js';
import type { ServeConfig } from '../config.js';
import { GuardrailsError } from '../errors.js';
import { createLogger, type Logger } from '../logger.js';
import { NO_VIEW } from '../engine/evaluate.js';
import type { Rule } from '../rules/types.js';
import { buildServer } from './build-server.js';
import { SERVER_DEFAULTS, type LifecycleState } from './deps.js';
import { watchFiles, type Watch } from './file-watch.js';
import { createMetrics, type Metrics } from './metrics.js';
import { LagController } from './load-shedding.js';
import { openPolicySource } from './policy-source.js';
import { ReviewPool } from './review-pool.js';
import { loadClientCa, loadCredentials, selfSignedCredentials, TLS_MIN_VERSION, type Credentials } from './tls.js';

async function initialCredentials(config: ServeConfig, logger: Logger): Promise<Credentials> {
  if (config.tlsCertPath !== undefined && config.tlsKeyPath !== undefined) return loadCredentials(config.tlsCertPath, config.tlsKeyPath);
  const credentials = await selfSignedCredentials();
  logger.warn({ subjectAltName: credentials.subjectAltName }, 'no --tls-cert given: serving a self-signed certificate for localhost and 127.0.0.1 (not for a cluster)');
  return credentials;
}

function httpsOptions(credentials: Credentials, clientCa: string | undefined, requestTimeoutMs: number): HttpsOptions {
  return {
    key: credentials.key,
    cert: credentials.cert,
    minVersion: TLS_MIN_VERSION,
    // Request timeouts are enforced by a periodic sweep; sweep often enough to honour ours.
    connectionsCheckingInterval: 1_000,
    // Given at creation, or Node keeps its defaults: headers within 60 s, a TLS handshake
    // within 120 s. A stalled client must be cut off by the same deadline as the body.
    headersTimeout: requestTimeoutMs,
    requestTimeout: requestTimeoutMs,
    handshakeTimeout: requestTimeoutMs,
    ...(clientCa === undefined ? {} : { ca: clientCa, requestCert: true, rejectUnauthorized: true }),
  };
}

interface CertificateReload {
  readonly server: TlsServer;
  readonly config: ServeConfig;
  readonly clientCa: string | undefined;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** Swaps the serving certificate in place; open connections keep theirs. */
function watchCertificate({ server, config, clientCa, logger, metrics }: CertificateReload): Watch | undefined {
  const { tlsCertPath, tlsKeyPath } = config;
  if (tlsCertPath === undefined || tlsKeyPath === undefined) return undefined;
  return watchFiles([tlsCertPath, tlsKeyPath], config.watchIntervalMs, () => {
    loadCredentials(tlsCertPath, tlsKeyPath).then(
      (credentials) => {
        server.setSecureContext({ key: credentials.key, cert: credentials.cert, minVersion: TLS_MIN_VERSION, ...(clientCa === undefined ? {} : { ca: clientCa }) });
        metrics.certificateExpiry.set(credentials.expiresAt / 1000);
        metrics.certificateReloads.inc({ outcome: 'success' });
        logger.info({ notAfter: new Date(credentials.expiresAt).toISOString() }, 'serving certificate reloaded');
      },
      (error: unknown) => {
        metrics.certificateReloads.inc({ outcome: 'failure' });
        logger.error({ err: error }, 'serving certificate reload refused; the previous certificate stays in use');
      },
    );
  });
}

/**
 * Waits for SIGTERM or SIGINT. SIGTERM drains for the configured delay; SIGINT (or a
 * SIGINT during the drain) ends it at once; a repeated SIGTERM is only logged.
 */
async function drainOnSignal(config: ServeConfig, logger: Logger, startDraining: () => void): Promise<void> {
  const cutShort = new AbortController();
  let first: string | undefined;
  const signalled = new Promise<string>((resolve) => {
    const handle = (signal: NodeJS.Signals): void => {
      if (first === undefined) {
        first = signal;
        resolve(signal);
      } else if (signal === 'SIGINT') cutShort.abort();
      else logger.info({ signal }, 'already draining');
    };
    process.on('SIGTERM', handle);
    process.on('SIGINT', handle);
  });
  const signal = await signalled;
  startDraining();
  const delay = signal === 'SIGTERM' ? config.shutdownDelayMs : 0;
  logger.info({ signal, drainMs: delay }, 'shutting down: readiness off, answering in-flight and new reviews until the drain delay ends');
  await sleep(delay, undefined, { signal: cutShort.signal }).catch(() => undefined);
}

/** The kernel caps it at net.core.somaxconn (4096 on current kernels). */
const LISTEN_BACKLOG = 4096;

/**
 * The live cluster view, when credentials are found as kubectl finds them. `auto` without
 * any runs without it (a laptop, `npm start`): the rules that need the cluster skip.
 */
async function openClusterView(config: ServeConfig, logger: Logger, metrics: Metrics): Promise<LiveView | undefined> {
  const settings = config.clusterView;
  if (settings.mode === 'off') {
    logger.info('cluster view off (CLUSTER_VIEW=off): rules that need the cluster’s policies, pods or namespaces skip');
    return undefined;
  }
  const source = credentialSource(settings);
  if (source === undefined) {
    if (settings.mode === 'on') throw new GuardrailsError('KG_CLUSTER_CONFIG', 'CLUSTER_VIEW=on, but there is no KUBECONFIG, no ~/.kube/config and no in-cluster ServiceAccount');
    logger.warn('no cluster credentials (KUBECONFIG, ~/.kube/config, in-cluster): running without a cluster view; rules that need it skip');
    return undefined;
  }
  // Imported only now: the Kubernetes client costs about 75 MiB, which a webhook without a view never pays.
  const [{ kubeApi }, { openConnection }] = await Promise.all([import('../cluster/kube-client.js'), import('../cluster/kubeconfig.js')]);
  const api = kubeApi(await openConnection(source, settings.inClusterServer));
  logger.info({ server: api.server, credentials: describeSource(source) }, 'cluster view: listing and watching NetworkPolicies, Namespaces and Pods');
  const live = startLiveView({ api, logger, now: () => Date.now(), staleAfterMs: settings.staleAfterMs });
  metrics.viewHealth = live.health;
  return live;
}

export interface ServeProgram {
  readonly rules: readonly Rule[];
  readonly version: string;
}

export async function runServe(config: ServeConfig, { rules, version }: ServeProgram): Promise<number> {
  const logger = createLogger({ level: config.logLevel });
  const metrics = createMetrics({ defaultMetrics: true });
  let state: LifecycleState = 'starting';
  // The pool starts once everything it could fail on has been read; it hears of reloads from then on.
  const workers: { pool?: ReviewPool } = {};
  const policySource = await openPolicySource(config.policyPath, {
    rules,
    logger,
    metrics,
    watchIntervalMs: config.watchIntervalMs,
    onReload: (text) => {
      workers.pool?.setPolicyText(text);
    },
  });
  const credentials = await initialCredentials(config, logger);
  const live = await openClusterView(config, logger, metrics);
  const clientCa = config.clientCaPath === undefined ? undefined : await loadClientCa(config.clientCaPath);
  const pool = new ReviewPool(
    { workers: config.reviewWorkers, maxQueued: config.reviewQueueMax, budgetMs: config.reviewBudgetMs, heapMiB: config.reviewWorkerHeapMiB },
    { url: new URL('./review-worker.js', import.meta.url), policyText: () => policySource.currentText() },
    metrics,
    logger,
  );
  workers.pool = pool;
  const lag = new LagController(config.shedLagMs);
  metrics.certificateExpiry.set(credentials.expiresAt / 1000);
  const app = buildServer(
    {
      rules,
      logger,
      metrics,
      policy: () => policySource.current(),
      view: live?.view ?? NO_VIEW,
      viewStaleness: live?.staleness ?? (() => undefined),
      now: () => Date.now(),
      lifecycle: { state: () => state },
      logBodies: config.logBodies,
      largeReviews: pool,
      lag,
    },
    {
      ...SERVER_DEFAULTS,
      requestTimeoutMs: config.requestTimeoutMs,
      https: httpsOptions(credentials, clientCa, config.requestTimeoutMs),
      shedding: { ...SERVER_DEFAULTS.shedding, targetLagMs: config.shedLagMs },
    },
  );
  // A burst opens connections faster than a busy loop accepts them: past Node's default backlog
  // (511) the kernel drops SYNs and clients wait out 1 s, 3 s retransmits, past their deadline.
  const address = await app.listen({ port: config.port, host: config.host, backlog: LISTEN_BACKLOG });
  const certificateWatch = watchCertificate({ server: app.server as unknown as TlsServer, config, clientCa, logger, metrics });
  const announce = (): void => {
    if (state !== 'starting') return;
    state = 'ready';
    logger.info({ address, version, policy: config.policyPath ?? 'built-in default', clientAuth: clientCa !== undefined, clusterView: live !== undefined }, 'kube-guardrails webhook ready');
  };
  // Ready only once the view holds the cluster: a replica that answered before would judge
  // against nothing. It answers reviews meanwhile (the API server may still call it).
  if (live === undefined) announce();
  else void live.synced().then(announce);

  await drainOnSignal(config, logger, () => {
    state = 'draining';
  });
  await app.close();
  await live?.stop();
  await pool.close();
  lag.close();
  certificateWatch?.close();
  policySource.close();
  logger.info('stopped');
  logger.flush();
  return 0;
}
