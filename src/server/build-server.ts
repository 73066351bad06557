/**
 * Builds the webhook's Fastify instance from its dependencies; never listens. Tests
 * call `inject()` on it; run-server.ts gives it TLS and a port.
 */
import fastify, { LogController, type FastifyInstance } from 'fastify';
import type { ServerDeps, ServerSettings } from './deps.js';
import { SERVER_DEFAULTS } from './deps.js';
import { answerClientError, installErrorHandlers } from './errors.js';
import { useAdmissionJsonParser } from './json-body.js';
import { installLoadShedding } from './load-shedding.js';
import { healthRoutes } from './routes/health.js';
import { validateRoute } from './routes/validate.js';

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
    // Malformed HTTP, oversized headers and timeouts are answered in our shape too.
    clientErrorHandler: (error, socket) => {
      answerClientError(error, socket, deps.metrics);
    },
    ...(settings.https === undefined ? {} : { https: settings.https }),
  }) as unknown as FastifyInstance;
  useAdmissionJsonParser(app, settings);
  installErrorHandlers(app, deps.metrics);
  installLoadShedding(app, { ...settings.shedding, bodyLimitBytes: settings.bodyLimitBytes }, deps.lag, deps.metrics);
  app.addHook('onSend', (_request, reply, payload, done) => {
    // While draining, ask the client to reconnect elsewhere instead of reusing this socket.
    if (deps.lifecycle.state() === 'draining') void reply.header('connection', 'close');
    done(null, payload);
  });
  void app.register(validateRoute, deps);
  void app.register(healthRoutes, deps);
  return app;
}
