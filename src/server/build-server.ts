/**
 * Builds the webhook's Fastify instance from its dependencies; never listens. Tests
 * call `inject()` on it; run-server.ts gives it TLS and a port.
 */
import fastify, { LogController, type FastifyInstance } from 'fastify';
import type { ServerOptions as HttpsOptions } from 'node:https';
import type { Logger } from '../logger.js';
import type { Policy } from '../policy/policy.js';
import type { ClusterView } from '../rules/types.js';
import { installErrorHandlers } from './errors.js';
import { useAdmissionJsonParser } from './json-body.js';
import type { Metrics } from './metrics.js';
import { healthRoutes } from './routes/health.js';
import { validateRoute } from './routes/validate.js';

export type LifecycleState = 'starting' | 'ready' | 'draining';

export interface ServerDeps {
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The policy in force now; read once per review. */
  readonly policy: () => Policy;
  readonly view: ClusterView;
  readonly now: () => number;
  readonly lifecycle: { state(): LifecycleState };
  readonly logBodies: boolean;
}

export interface ServerSettings {
  readonly https?: HttpsOptions;
  /** The API server sends at most 3 MiB, and an UPDATE carries two objects. */
  readonly bodyLimitBytes: number;
  /** Longer than the API server's 90 s idle timeout, so it never reuses a closing socket. */
  readonly keepAliveTimeoutMs: number;
  /** Deadline for receiving a whole request; shorter than the webhook's timeoutSeconds. */
  readonly requestTimeoutMs: number;
}

export const SERVER_DEFAULTS: ServerSettings = {
  bodyLimitBytes: 8 * 1024 * 1024, // 8 MiB
  keepAliveTimeoutMs: 120_000, // 120 s
  requestTimeoutMs: 4_000, // 4 s, under a 5 s timeoutSeconds
};

export function buildServer(deps: ServerDeps, settings: ServerSettings = SERVER_DEFAULTS): FastifyInstance {
  const app = fastify({
    loggerInstance: deps.logger,
    // One log line per decision, written by the validate route; none per request.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: settings.bodyLimitBytes,
    keepAliveTimeout: settings.keepAliveTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    // While closing, requests on open connections are still answered: a 503 would be a
    // webhook failure to the API server.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    ...(settings.https === undefined ? {} : { https: settings.https }),
  }) as unknown as FastifyInstance;
  useAdmissionJsonParser(app, settings.bodyLimitBytes);
  installErrorHandlers(app, deps.metrics);
  app.addHook('onSend', (_request, reply, payload, done) => {
    // While draining, ask the client to reconnect elsewhere instead of reusing this socket.
    if (deps.lifecycle.state() === 'draining') void reply.header('connection', 'close');
    done(null, payload);
  });
  void app.register(validateRoute, deps);
  void app.register(healthRoutes, deps);
  return app;
}
