/**
 * /healthz: the process answers. /readyz: the policy and certificate are loaded and the
 * server is not draining. /metrics: Prometheus text.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ServerDeps } from '../deps.js';

export const healthRoutes: FastifyPluginAsync<ServerDeps> = (app, deps) => {
  app.get('/healthz', () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const state = deps.lifecycle.state();
    if (state !== 'ready') return reply.code(503).send({ status: state });
    return { status: 'ready' };
  });
  app.get('/metrics', async (_request, reply) => {
    const text = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(text);
  });
  return Promise.resolve();
};
